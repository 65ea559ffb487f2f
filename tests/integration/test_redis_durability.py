"""Sessions and queued tasks must survive a restart and never be evicted from Redis."""

import subprocess
import time

import redis
from celery import Celery

from archivist.core.config import Settings
from archivist.core.redis import create_redis, eviction_warning
from archivist.embedded.services import EmbeddedServices
from archivist.worker.celery_app import create_celery
from archivist.worker.task_names import SWEEP_DOCUMENTS


def test_embedded_redis_keeps_an_append_only_file_and_snapshots_and_never_evicts(
    services: EmbeddedServices,
) -> None:
    client = redis.Redis.from_url(services.redis_url, decode_responses=True)

    assert client.config_get("appendonly") == {"appendonly": "yes"}
    assert client.config_get("save") == {"save": "60 1"}
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}


async def test_a_redis_that_may_evict_is_reported_at_start(services: EmbeddedServices) -> None:
    admin = redis.Redis.from_url(services.redis_url, decode_responses=True)
    client = create_redis(Settings(redis_url=services.redis_url))
    try:
        assert await eviction_warning(client) is None

        admin.config_set("maxmemory-policy", "volatile-lru")
        warning = await eviction_warning(client)

        assert warning is not None
        assert "volatile-lru" in warning and "noeviction" in warning
    finally:
        admin.config_set("maxmemory-policy", "noeviction")
        await client.aclose()


def _sweeps_done(celery: Celery) -> int:
    stats = celery.control.inspect(timeout=2).stats() or {}
    return sum(worker.get("total", {}).get(SWEEP_DOCUMENTS, 0) for worker in stats.values())


def test_tasks_leave_no_results_in_redis(
    services: EmbeddedServices, settings: Settings, pipeline: subprocess.Popen[bytes]
) -> None:
    # Every key in this Redis must survive (noeviction): a task's result, which nothing reads,
    # would be a key that only waits to expire.
    celery = create_celery(settings)
    before = _sweeps_done(celery)

    task = celery.send_task(SWEEP_DOCUMENTS, queue="primary")
    deadline = time.monotonic() + 60
    while _sweeps_done(celery) == before and time.monotonic() < deadline:
        time.sleep(0.5)

    assert _sweeps_done(celery) > before, "the worker did not run the sweep"
    client = redis.Redis.from_url(services.redis_url, decode_responses=True)
    assert not client.exists(f"celery-task-meta-{task.id}")
