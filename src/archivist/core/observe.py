"""Request id, metrics and the access log for every HTTP request, as plain ASGI middleware.

Plain ASGI rather than `@app.middleware("http")`: the request is timed until its last body
byte is sent, so a streamed answer counts for as long as it streams, not until its headers.
"""

import logging
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from archivist.core.errors import error_response
from archivist.core.logging import org_id_var, request_id_var, user_id_var
from archivist.core.metrics import http_request_duration_seconds, http_requests_total

logger = logging.getLogger("archivist.http")


def _route_template(scope: Scope) -> str:
    """The matched route's path template, so metrics do not get one series per id."""
    return str(getattr(scope.get("route"), "path", "unmatched"))


class RequestObserver:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex
        tokens = (request_id_var.set(request_id), user_id_var.set(None), org_id_var.set(None))
        started = time.perf_counter()
        status = 500
        responded = False

        async def send_observed(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status, responded = message["status"], True
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        except Exception:
            # Rendered here rather than by Starlette's outermost handler, so that the one
            # response most worth correlating carries its request id too.
            logger.exception("unhandled error")
            if responded:  # a stream broke after its headers: nothing more can be said
                raise
            await error_response(500, "InternalError", "Internal server error")(
                scope, receive, send_observed
            )
        finally:
            elapsed = time.perf_counter() - started
            method, path = scope["method"], scope["path"]
            principal = scope.get("state", {}).get("principal")
            http_requests_total.labels(method, _route_template(scope), str(status)).inc()
            http_request_duration_seconds.labels(method, _route_template(scope)).observe(elapsed)
            logger.info(
                "%s %s %s",
                method,
                path,
                status,
                extra={
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                    "user_id": str(principal.user_id) if principal else None,
                    "org_id": str(principal.org_id) if principal else None,
                },
            )
            request_id_var.reset(tokens[0])
            user_id_var.reset(tokens[1])
            org_id_var.reset(tokens[2])
