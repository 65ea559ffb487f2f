"""Application errors and the one handler that renders them as `{"error", "detail"}`."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)


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
    status_code = 503
    detail = "A dependency is unavailable"


RETRY_AFTER_SECONDS = "2"


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
    async def pool_exhausted(_: Request, exc: PoolTimeout) -> JSONResponse:
        logger.warning("no database connection free: %s", exc)
        return error_response(
            503,
            "ServerBusy",
            "The server is busy; retry in a moment",
            {"Retry-After": RETRY_AFTER_SECONDS},
        )

    @app.exception_handler(DBAPIError)
    async def database_error(_: Request, exc: DBAPIError) -> JSONResponse:
        # SQLSTATE class 22 ("data exception") is a value the database cannot store, such as a
        # NUL character in a name: bad input, so 422 rather than 500.
        sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
        if sqlstate.startswith("22"):
            logger.info("rejected value the database cannot store (SQLSTATE %s)", sqlstate)
            return error_response(
                422, "InvalidPayload", "A value contains characters or data that cannot be stored"
            )
        if exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
            logger.warning("database unavailable: %s", exc.orig)
            return error_response(
                503,
                "ServiceUnavailable",
                "The database is unavailable; retry in a moment",
                {"Retry-After": RETRY_AFTER_SECONDS},
            )
        logger.exception("database error", exc_info=exc)
        return error_response(500, "InternalError", "Internal server error")

    @app.exception_handler(ExceptionGroup)
    async def task_group_error(request: Request, group: ExceptionGroup[Exception]) -> JSONResponse:
        # asyncio.TaskGroup (the search's two legs) wraps what its tasks raised: answer for the
        # first of them, as if it had been raised alone.
        exc: Exception = group
        while isinstance(exc, ExceptionGroup) and exc.exceptions:
            exc = exc.exceptions[0]
        if isinstance(exc, AppError):
            return await app_error(request, exc)
        if isinstance(exc, PoolTimeout):
            return await pool_exhausted(request, exc)
        if isinstance(exc, DBAPIError):
            return await database_error(request, exc)
        return await unexpected(request, group)

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return error_response(500, "InternalError", "Internal server error")
