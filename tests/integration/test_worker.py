"""A real Celery worker process, consuming from the real Redis broker."""

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from celery import Celery
from httpx import AsyncClient

from archivist.auth.session_store import ACTIVE_KEY
from archivist.core.config import Settings
from archivist.core.state import AppState
from archivist.embedded.services import EmbeddedServices
from archivist.worker.celery_app import create_celery
from archivist.worker.task_names import QUEUES
from tests.factories.accounts import register_org


@pytest.fixture(scope="module")
def worker(services: EmbeddedServices, settings: Settings) -> Iterator[Celery]:
    env = {
        **os.environ,
        "DATABASE_URL": services.database_url,
        "REDIS_URL": services.redis_url,
        "ARCHIVIST_DATA_DIR": str(services.data_dir),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "archivist.cli", "worker", "--queues", ",".join(QUEUES)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield create_celery(settings)
    finally:
        process.terminate()
        process.wait(15)


async def test_worker_prunes_expired_sessions_from_the_queue(
    worker: Celery, client: AsyncClient, app_state: AppState
) -> None:
    await register_org(client)  # at least one live session
    await app_state.redis.zadd(ACTIVE_KEY, {"expired-session": 1})

    # Tasks store no results; this test asks for one to read the count.
    pruned = worker.send_task("sessions.prune", queue="primary", ignore_result=False)
    live = pruned.get(timeout=60)

    assert live >= 1
    assert await app_state.redis.zscore(ACTIVE_KEY, "expired-session") is None
