"""Server-sent events with a keep-alive comment while the model is quiet."""

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from archivist.core.errors import AppError

logger = logging.getLogger(__name__)
Event = tuple[str, Any]
_END = object()


def _error_body(exc: Exception) -> dict[str, str]:
    if isinstance(exc, AppError):
        return {"error": type(exc).__name__, "detail": exc.detail}
    return {"error": "InternalError", "detail": "The answer failed; ask again"}


def format_event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, default=str)}\n\n"


async def with_pings(events: AsyncIterator[Event], every_seconds: float) -> AsyncIterator[str]:
    """The events as SSE text, with `: ping` whenever nothing was sent for `every_seconds`."""
    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def produce() -> None:
        try:
            async for event in events:
                await queue.put(event)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            await queue.put(exc)
        finally:
            await queue.put(_END)

    producer = asyncio.create_task(produce())
    try:
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), every_seconds)
            except TimeoutError:
                yield ": ping\n\n"
                continue
            if item is _END:
                return
            if isinstance(item, Exception):
                # The headers are out: the client can only learn of it as an event.
                logger.error("an answer failed while streaming", exc_info=item)
                yield format_event("error", _error_body(item))
                return
            if isinstance(item, BaseException):
                raise item
            name, data = item
            yield format_event(name, data)
    finally:
        if not producer.done():
            producer.cancel()
            # The answer generator's own cleanup (keeping a partial answer) runs before we go.
            await asyncio.gather(producer, return_exceptions=True)
