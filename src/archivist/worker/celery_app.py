"""The Celery application: Redis broker and result backend, three queues, beat schedule."""

from celery import Celery

from archivist.core.config import Settings, get_settings
from archivist.core.redis import redis_tls
from archivist.worker.task_names import (
    PROCESS_DOCUMENT,
    PRUNE_SESSIONS,
    PURGE_FILES,
    SWEEP_DOCUMENTS,
)

TASK_MODULES = ["archivist.auth.tasks", "archivist.files.tasks", "archivist.ingestion.tasks"]


def create_celery(settings: Settings | None = None) -> Celery:
    settings = settings or get_settings()
    app = Celery(
        "archivist", broker=settings.redis_url, backend=settings.redis_url, include=TASK_MODULES
    )
    tls = redis_tls(settings) or None
    app.conf.update(
        broker_use_ssl=tls,
        redis_backend_use_ssl=tls,
        task_create_missing_queues=True,
        task_default_queue="primary",
        task_acks_late=True,
        # Nothing reads a task's return value: storing none keeps Redis free of keys that
        # would only expire (every key Archivist keeps there must survive; see docs/deploy.md).
        task_ignore_result=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        task_routes={PROCESS_DOCUMENT: {"queue": "docprocessing"}},
        beat_schedule={
            PRUNE_SESSIONS: {"task": PRUNE_SESSIONS, "schedule": 300.0},
            SWEEP_DOCUMENTS: {
                "task": SWEEP_DOCUMENTS,
                "schedule": settings.ingestion.sweep_interval_seconds,
            },
            PURGE_FILES: {"task": PURGE_FILES, "schedule": settings.backup.purge_interval_seconds},
        },
    )
    return app


celery_app = create_celery()
