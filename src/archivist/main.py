"""The FastAPI application."""

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware

from archivist.auth.endpoints import router as auth_router
from archivist.chat.endpoints import router as chat_router
from archivist.core.config import Settings, get_settings
from archivist.core.errors import error_response, install_error_handlers
from archivist.core.headers import SecurityHeaders
from archivist.core.logging import configure_logging, org_id_var, request_id_var, user_id_var
from archivist.core.metrics import http_request_duration_seconds, http_requests_total
from archivist.core.state import AppState
from archivist.documents.endpoints import router as documents_router
from archivist.health.endpoints import router as health_router
from archivist.organizations.endpoints import router as organizations_router
from archivist.search.endpoints import router as search_router
from archivist.web_ui import mount_web_ui

logger = logging.getLogger("archivist.http")


def _route_template(request: Request) -> str:
    """The matched route's path template, so metrics do not get one series per id."""
    route = request.scope.get("route")
    return str(getattr(route, "path", "unmatched"))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.archivist = state = AppState.create(settings)
        # Load the query embedder in the background: the first search need not pay for it,
        # and readiness does not wait for it.
        warm_up = asyncio.get_running_loop().run_in_executor(None, lambda: state.embedder)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await warm_up
            await state.close()

    app = FastAPI(
        title="Archivist",
        version="0.1.0",
        description="Search and chat over your organization's documents.",
        lifespan=lifespan,
        # /docs is the one API browser (its CSP allows the CDN it loads from); the validator
        # badge would send the schema's URL to an outside service.
        redoc_url=None,
        swagger_ui_parameters={"validatorUrl": None},
    )
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )

    @app.middleware("http")
    async def observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        tokens = (request_id_var.set(request_id), user_id_var.set(None), org_id_var.set(None))
        started = time.perf_counter()
        status = 500
        try:
            try:
                response = await call_next(request)
            except Exception:
                # Rendered here rather than by Starlette's outermost handler, so that the one
                # response most worth correlating carries its request id too.
                logger.exception("unhandled error")
                response = error_response(500, "InternalError", "Internal server error")
            status = response.status_code
            response.headers["X-Request-ID"] = request_id
            return response
        finally:
            elapsed = time.perf_counter() - started
            path = _route_template(request)
            principal = getattr(request.state, "principal", None)
            http_requests_total.labels(request.method, path, str(status)).inc()
            http_request_duration_seconds.labels(request.method, path).observe(elapsed)
            logger.info(
                "%s %s %s",
                request.method,
                request.url.path,
                status,
                extra={
                    "method": request.method,
                    "path": request.url.path,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                    "user_id": str(principal.user_id) if principal else None,
                    "org_id": str(principal.org_id) if principal else None,
                },
            )
            request_id_var.reset(tokens[0])
            user_id_var.reset(tokens[1])
            org_id_var.reset(tokens[2])

    # Added last, so it is the outermost middleware: even the 500 rendered above gets headers.
    app.add_middleware(
        SecurityHeaders,
        hsts=settings.auth.cookie_secure,
        docs_paths=("/docs", "/docs/oauth2-redirect"),
    )

    for router in (
        health_router,
        auth_router,
        organizations_router,
        documents_router,
        search_router,
        chat_router,
    ):
        app.include_router(router)
    mount_web_ui(app, settings.web_dir)
    return app


def app_factory() -> FastAPI:
    """Entry point for uvicorn (`archivist api`)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
