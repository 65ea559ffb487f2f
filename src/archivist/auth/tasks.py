"""Celery entry points for the auth domain."""

import asyncio

from archivist.auth.session_store import session_store
from archivist.core.config import get_settings
from archivist.core.redis import create_redis
from archivist.worker.celery_app import celery_app
from archivist.worker.task_names import PRUNE_SESSIONS


@celery_app.task(name=PRUNE_SESSIONS, acks_late=True)  # type: ignore[untyped-decorator]
def prune_sessions() -> int:
    """Drop expired sessions from the active-sessions index; returns how many are still live."""

    async def run() -> int:
        redis = create_redis(get_settings())
        try:
            return await session_store.count_active(redis)
        finally:
            await redis.aclose()

    return asyncio.run(run())
