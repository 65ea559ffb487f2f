"""`archivist api`: uvicorn with a drain before it stops, for replicas behind a load balancer.

uvicorn alone closes its port at SIGTERM: requests in flight finish, but the load balancer, which
has not noticed yet, keeps sending new ones to a closed port. Here SIGTERM first turns /ready to
503 while everything is still served (`server.drain_seconds`), then uvicorn shuts down as usual:
no new connections, requests in flight get `server.shutdown_timeout_seconds` to finish.
A second SIGTERM or SIGINT skips the rest of the drain.
"""

import logging
import time
from collections.abc import Callable
from types import FrameType

import uvicorn
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from archivist.core.config import Settings
from archivist.core.logging import configure_logging
from archivist.main import create_app

logger = logging.getLogger(__name__)


class DrainingServer(uvicorn.Server):
    def __init__(
        self, config: uvicorn.Config, drain_seconds: float, on_drain: Callable[[], None]
    ) -> None:
        super().__init__(config)
        self.drain_seconds = drain_seconds
        self.on_drain = on_drain
        self.drain_until: float | None = None
        self._announced = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.drain_until is None and not self.should_exit and self.drain_seconds > 0:
            # A signal handler: no logging here (the interrupted code may hold the log lock).
            self.drain_until = time.monotonic() + self.drain_seconds
            self.on_drain()
            return
        super().handle_exit(sig, frame)

    async def on_tick(self, counter: int) -> bool:
        if self.drain_until is not None and not self.should_exit:
            if not self._announced:
                self._announced = True
                logger.info("draining: /ready is 503 for %s s, then stopping", self.drain_seconds)
            if time.monotonic() >= self.drain_until:
                self.should_exit = True
        return await super().on_tick(counter)


class CloseWhileDraining:
    """While draining, every response says `Connection: close`: a client or load balancer that
    keeps connections open makes its next request on a new connection, to another replica,
    instead of on this one's until the port closes under it."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and self.app.state.draining:
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, send_closing)


def serve(settings: Settings, host: str, port: int) -> None:
    configure_logging(settings.log_level)
    app = create_app(settings)

    def drain() -> None:
        app.state.draining = True

    config = uvicorn.Config(
        CloseWhileDraining(app),
        host=host,
        port=port,
        log_config=None,
        timeout_graceful_shutdown=settings.server.shutdown_timeout_seconds,
        proxy_headers=True,
    )
    DrainingServer(config, settings.server.drain_seconds, drain).run()
