"""Processing one document: fetch → extract → chunk → embed → replace its chunks → `indexed`.

Runs in the worker as the document's owner (RLS). No transaction stays open while the file is
parsed or embedded: one short transaction marks the start, one writes the result.
"""

import logging
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy.exc import OperationalError

from archivist.core.db import set_tenant_sync
from archivist.core.metrics import documents_processed_total, embedding_seconds, extraction_seconds
from archivist.index.base import IndexedChunk
from archivist.index.postgres import postgres_index
from archivist.ingestion.chunking import Chunk, PageText, chunk_document
from archivist.ingestion.exceptions import PermanentIngestionError, TransientIngestionError
from archivist.ingestion.extract import ExtractionError, ExtractionLimits, extract_file
from archivist.ingestion.formats import kind_for_mime
from archivist.ingestion.repository import ingestion_repo
from archivist.storage.base import ObjectNotFound
from archivist.worker.context import WorkerContext

logger = logging.getLogger(__name__)
WORKER_NAME = f"{socket.gethostname()}:{__import__('os').getpid()}"
FINAL_STATUSES = ("indexed", "failed")


class IngestionService:
    def process(
        self, ctx: WorkerContext, document_id: uuid.UUID, org_id: uuid.UUID, owner_id: uuid.UUID
    ) -> str:
        """Process the document; returns its final status, or "skipped" if nothing to do."""
        with ctx.transaction() as session:
            set_tenant_sync(session, owner_id, org_id)
            found = ingestion_repo.document_with_file(session, document_id, lock=True)
            if found is None or found[0].status in FINAL_STATUSES:
                return "skipped"  # deleted meanwhile, or a duplicate message for finished work
            document, file = found
            attempt_id = ingestion_repo.start_attempt(session, document, WORKER_NAME)
            document.status = "processing"
            document.error = None
            title = document.title
            storage_key, mime_type = file.storage_key, file.mime_type
        try:
            chunks, page_count = self._chunks(ctx, storage_key, mime_type, title)
            vectors = self._embed(ctx, chunks)
        except PermanentIngestionError as exc:
            self.fail(ctx, document_id, org_id, owner_id, str(exc), attempt_id)
            return "failed"
        except TransientIngestionError as exc:
            self._finish_attempt(ctx, org_id, owner_id, attempt_id, "retrying", str(exc))
            raise
        with ctx.transaction() as session:
            set_tenant_sync(session, owner_id, org_id)
            # Marking it indexed locks the row and returns its access list as of now, so a
            # concurrent PATCH either lands before (and is copied) or waits for this commit.
            access = ingestion_repo.mark_indexed(session, document_id, len(chunks), page_count)
            if access is None:
                return "skipped"  # deleted meanwhile
            postgres_index.index_chunks(
                session,
                document_id,
                {**access, "organization_id": org_id},
                [
                    IndexedChunk(chunk.ord, chunk.text, chunk.page, chunk.embed_text, vector)
                    for chunk, vector in zip(chunks, vectors, strict=True)
                ],
            )
            ingestion_repo.finish_attempt(session, attempt_id, "indexed", None)
        documents_processed_total.labels("indexed").inc()
        return "indexed"

    def fail(
        self,
        ctx: WorkerContext,
        document_id: uuid.UUID,
        org_id: uuid.UUID,
        owner_id: uuid.UUID,
        error: str,
        attempt_id: uuid.UUID | None = None,
    ) -> None:
        """Mark the document `failed` with a one-line reason its owner can read."""
        with ctx.transaction() as session:
            set_tenant_sync(session, owner_id, org_id)
            found = ingestion_repo.document_with_file(session, document_id, lock=True)
            if found is None:
                return
            document = found[0]
            document.status = "failed"
            document.error = error.splitlines()[0][:500] if error else "Processing failed"
            if attempt_id is not None:
                ingestion_repo.finish_attempt(session, attempt_id, "failed", document.error)
        documents_processed_total.labels("failed").inc()

    def _finish_attempt(
        self,
        ctx: WorkerContext,
        org_id: uuid.UUID,
        owner_id: uuid.UUID,
        attempt_id: uuid.UUID,
        outcome: str,
        error: str,
    ) -> None:
        try:
            with ctx.transaction() as session:
                set_tenant_sync(session, owner_id, org_id)
                ingestion_repo.finish_attempt(session, attempt_id, outcome, error[:500])
        except OperationalError:
            logger.warning("could not record the attempt's outcome; the database is unavailable")

    def _chunks(
        self, ctx: WorkerContext, storage_key: str, mime_type: str, title: str
    ) -> tuple[list[Chunk], int | None]:
        kind = kind_for_mime(mime_type)
        if kind is None:
            raise PermanentIngestionError(f"Files of type {mime_type} cannot be processed")
        settings = ctx.settings.ingestion
        limits = ExtractionLimits(
            timeout_seconds=settings.extraction_timeout_seconds,
            memory_mb=settings.extraction_memory_mb,
            max_uncompressed_mb=settings.max_uncompressed_mb,
        )
        with _fetched(ctx, storage_key) as path:
            started = time.perf_counter()
            try:
                extracted = extract_file(path, kind, limits)
            except ExtractionError as exc:
                raise PermanentIngestionError(str(exc)) from exc
            finally:
                extraction_seconds.labels(kind).observe(time.perf_counter() - started)
        pages = [PageText(page.number, page.text) for page in extracted.pages]
        chunks = chunk_document(
            pages, title, ctx.embedder.count_tokens, window=ctx.embedder.max_tokens
        )
        if not chunks:
            raise PermanentIngestionError(
                "No text could be found in this file "
                "(scanned images need OCR, which is not supported)"
            )
        return chunks, extracted.page_count

    def _embed(self, ctx: WorkerContext, chunks: list[Chunk]) -> list[list[float]]:
        started = time.perf_counter()
        try:
            return ctx.embedder.embed([chunk.embed_text for chunk in chunks])
        except Exception as exc:  # a remote embedder's outage is worth a retry
            raise TransientIngestionError(f"Embedding failed: {exc}") from exc
        finally:
            embedding_seconds.observe(time.perf_counter() - started)

    def stuck_documents(
        self, ctx: WorkerContext, include_queued: bool
    ) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
        statuses = ("processing", "queued") if include_queued else ("processing",)
        with ctx.transaction() as session:
            return ingestion_repo.stuck_documents(
                session, ctx.settings.ingestion.stuck_after_seconds, statuses
            )


@contextmanager
def _fetched(ctx: WorkerContext, storage_key: str) -> Iterator[Path]:
    """The object as a local file: the stored file itself (local store), or a temporary copy."""
    with ExitStack() as cleanup:
        try:
            path = ctx.store.local_path(storage_key)
            if path is None:
                folder = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="archivist-"))
                path = Path(folder) / "source"
                ctx.store.download_to(storage_key, path)
        except ObjectNotFound as exc:
            raise PermanentIngestionError("The stored file is missing") from exc
        except (OSError, BotoCoreError, ClientError) as exc:
            raise TransientIngestionError(f"Could not fetch the file: {exc}") from exc
        yield path


ingestion = IngestionService()
