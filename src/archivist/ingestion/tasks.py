"""Celery entry points of the ingestion pipeline (thin: they call the service)."""

import logging
import uuid

from celery import Task

from archivist.ingestion.exceptions import TransientIngestionError
from archivist.ingestion.service import ingestion
from archivist.worker.celery_app import celery_app
from archivist.worker.context import worker_context
from archivist.worker.task_names import PROCESS_DOCUMENT, SWEEP_DOCUMENTS

logger = logging.getLogger(__name__)


@celery_app.task(  # type: ignore[untyped-decorator]
    name=PROCESS_DOCUMENT, bind=True, acks_late=True, reject_on_worker_lost=True
)
def process_document(self: Task, document_id: str, org_id: str, owner_id: str) -> str:
    ctx = worker_context()
    ids = uuid.UUID(document_id), uuid.UUID(org_id), uuid.UUID(owner_id)
    max_retries = ctx.settings.ingestion.max_retries
    try:
        return ingestion.process(ctx, *ids)
    except TransientIngestionError as exc:
        if self.request.retries >= max_retries:
            ingestion.fail(ctx, *ids, f"Processing failed after {max_retries + 1} attempts: {exc}")
            return "failed"
        countdown = min(300, 5 * 2**self.request.retries)
        logger.warning("document %s: %s; retrying in %s s", document_id, exc, countdown)
        raise self.retry(exc=exc, countdown=countdown, max_retries=max_retries) from exc


@celery_app.task(name=SWEEP_DOCUMENTS, acks_late=True)  # type: ignore[untyped-decorator]
def sweep_stuck_documents() -> int:
    """Re-queue documents left in `processing` (a worker died) or `queued` (a lost message)."""
    ctx = worker_context()
    with celery_app.connection_for_read() as connection:
        backlog = connection.default_channel.client.llen("docprocessing")
    # Queued documents behind a backlog are not lost, just waiting: leave them be.
    stuck = ingestion.stuck_documents(ctx, include_queued=backlog == 0)
    for document_id, org_id, owner_id in stuck:
        celery_app.send_task(
            PROCESS_DOCUMENT,
            args=[str(document_id), str(org_id), str(owner_id)],
            queue="docprocessing",
        )
    if stuck:
        logger.info("re-queued %d stuck documents", len(stuck))
    return len(stuck)
