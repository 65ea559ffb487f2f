"""Celery entry points for stored files (thin: they call the service)."""

import logging

from archivist.files.service import file_service
from archivist.worker.celery_app import celery_app
from archivist.worker.context import worker_context
from archivist.worker.task_names import PURGE_FILES

logger = logging.getLogger(__name__)


@celery_app.task(name=PURGE_FILES, acks_late=True)  # type: ignore[untyped-decorator]
def purge_files() -> int:
    """Remove deleted documents' stored files whose retention window has passed."""
    removed = file_service.purge_expired(worker_context())
    if removed:
        logger.info("purged %d stored files of deleted documents", removed)
    return removed
