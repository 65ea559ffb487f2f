"""Application errors and the one handler that renders them as `{"error", "detail"}`."""

import errno
import logging
from collections.abc import Awaitable, Callable
from typing import cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from redis.exceptions import BusyLoadingError, RedisError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)
Handler = Callable[[Request, Exception], Awaitable[Response]]


class AppError(Exception):
    status_code = 500
    detail = "Internal error"
    headers: dict[str, str] | None = None

    def __init__(self, detail: str | None = None, headers: dict[str, str] | None = None) -> None:
        self.detail = detail or self.detail
        self.headers = headers or self.headers
        super().__init__(self.detail)


class NotAuthenticated(AppError):
    status_code = 401
    detail = "Not authenticated"


class Forbidden(AppError):
    status_code = 403
    detail = "Your role does not allow this action"


class NotFound(AppError):
    status_code = 404
    detail = "Not found"


class Conflict(AppError):
    status_code = 409
    detail = "Conflict"


class InvalidPayload(AppError):
    status_code = 422
    detail = "Invalid payload"


class RateLimited(AppError):
    status_code = 429
    detail = "Too many requests"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        retry_after = max(1, retry_after)
        super().__init__(
            detail or f"Too many requests; retry in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )


class ServiceUnavailable(AppError):
    """A dependency is down or saturated: nothing was changed, and the request may be retried."""

    status_code = 503
    detail = "A dependency is unavailable"
    retry_after_seconds = 2

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": str(self.retry_after_seconds)})


class ServerBusy(ServiceUnavailable):
    detail = "The server is busy; retry in a moment"


class DatabaseUnavailable(ServiceUnavailable):
    detail = "The database is unavailable; nothing was changed. Retry in a moment."


class SessionStoreUnavailable(ServiceUnavailable):
    detail = "The session store is unavailable; nothing was changed. Retry in a moment."


class StorageFull(ServiceUnavailable):
    detail = "The server is out of disk space; nothing was saved. Retry once space is freed."
    retry_after_seconds = 60


DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def error_response(
    status_code: int, error: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": error, "detail": detail}, status_code=status_code, headers=headers
    )


_HTTP_NAMES = {
    401: "NotAuthenticated",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(_: Request, exc: AppError) -> JSONResponse:
        return error_response(exc.status_code, type(exc).__name__, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return error_response(422, "InvalidPayload", "; ".join(parts) or "Invalid payload")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 400:
            # FastAPI's answer to a body it cannot decode (bytes that are not UTF-8 JSON): a bad
            # payload like any other, so the contract's 422 rather than an undocumented 400.
            return error_response(422, "InvalidPayload", f"body: {exc.detail}", headers)
        name = _HTTP_NAMES.get(exc.status_code, "HTTPError")
        return error_response(exc.status_code, name, str(exc.detail), headers)

    @app.exception_handler(PoolTimeout)
    async def pool_exhausted(request: Request, exc: PoolTimeout) -> JSONResponse:
        logger.warning("no database connection free: %s", exc)
        return await app_error(request, ServerBusy())

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        # SQLSTATE class 22 ("data exception") is a value the database cannot store, such as a
        # NUL character in a name: bad input, so 422 rather than 500.
        sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
        if sqlstate == "53100":  # disk_full
            logger.error("database disk full: %s", exc.orig)
            return await app_error(request, StorageFull())
        if sqlstate.startswith("22"):
            logger.info("rejected value the database cannot store (SQLSTATE %s)", sqlstate)
            return error_response(
                422, "InvalidPayload", "A value contains characters or data that cannot be stored"
            )
        if exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
            logger.warning("database unavailable: %s", exc.orig)
            return await app_error(request, DatabaseUnavailable())
        logger.exception("database error", exc_info=exc)
        return error_response(500, "InternalError", "Internal server error")

    @app.exception_handler(RedisError)
    async def redis_error(request: Request, exc: RedisError) -> JSONResponse:
        # Down, restarting, or refusing writes (MISCONF: it cannot save, e.g. a full disk).
        if isinstance(exc, RedisConnectionError | RedisTimeoutError | BusyLoadingError) or str(
            exc
        ).startswith(("MISCONF", "READONLY")):
            logger.warning("Redis unavailable: %s", exc)
            return await app_error(request, SessionStoreUnavailable())
        return await unexpected(request, exc)

    @app.exception_handler(OSError)
    async def os_error(request: Request, exc: OSError) -> JSONResponse:
        if exc.errno in DISK_FULL:
            logger.error("disk full: %s", exc)
            return await app_error(request, StorageFull())
        return await unexpected(request, exc)

    @app.exception_handler(ExceptionGroup)
    async def task_group_error(request: Request, group: ExceptionGroup[Exception]) -> Response:
        # asyncio.TaskGroup (the search's two legs) wraps what its tasks raised: answer for the
        # first of them with its own handler, as if it had been raised alone.
        exc: Exception = group
        while isinstance(exc, ExceptionGroup) and exc.exceptions:
            exc = exc.exceptions[0]
        for kind in type(exc).__mro__:
            handler = app.exception_handlers.get(kind)
            if handler is not None and kind is not ExceptionGroup:
                return await cast(Handler, handler)(request, exc)
        return await unexpected(request, group)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return error_response(500, "InternalError", "Internal server error")
