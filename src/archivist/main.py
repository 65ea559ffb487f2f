"""The FastAPI application."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from archivist.audit.endpoints import router as audit_router
from archivist.auth.endpoints import router as auth_router
from archivist.chat.endpoints import router as chat_router
from archivist.core.config import Settings, get_settings
from archivist.core.db import UnsafeDatabaseRole, ensure_isolating_role
from archivist.core.errors import install_error_handlers
from archivist.core.headers import SecurityHeaders
from archivist.core.logging import configure_logging
from archivist.core.observe import RequestObserver
from archivist.core.openapi import install_openapi
from archivist.core.redis import eviction_warning
from archivist.core.state import AppState
from archivist.documents.endpoints import router as documents_router
from archivist.embedding.dimension import EmbedderRefused, check_embedding_dimension
from archivist.health.endpoints import router as health_router
from archivist.organizations.endpoints import router as organizations_router
from archivist.search.endpoints import router as search_router
from archivist.web_ui import mount_web_ui

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.archivist = state = AppState.create(settings)
        try:
            await ensure_isolating_role(state.engine)
            await check_embedding_dimension(settings, state.engine)
        except (UnsafeDatabaseRole, EmbedderRefused) as exc:
            logger.error("%s", exc)
            await state.close()
            raise
        if warning := await eviction_warning(state.redis):
            logger.warning(warning)
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
    app.state.draining = False  # set on SIGTERM by `archivist.server`: /ready answers 503
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )

    app.add_middleware(RequestObserver)

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
        audit_router,
    ):
        app.include_router(router)
    install_openapi(app)
    mount_web_ui(app, settings.web_dir)
    return app


def app_factory() -> FastAPI:
    """Entry point for uvicorn (`archivist api`)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
