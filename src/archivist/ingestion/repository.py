"""Queries the processing worker runs (sync sessions, scoped to the document's owner by RLS)."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from archivist.models import Document, File, IngestionAttempt


class IngestionRepository:
    def document_with_file(
        self, session: Session, document_id: uuid.UUID, lock: bool = False
    ) -> tuple[Document, File] | None:
        query = select(Document, File).join(File, File.id == Document.file_id)
        query = query.where(Document.id == document_id)
        if lock:
            query = query.with_for_update(of=Document)
        row = session.execute(query).first()
        return (row[0], row[1]) if row else None

    def start_attempt(self, session: Session, document: Document, worker: str) -> uuid.UUID:
        if document.status == "processing":
            # Already started once and never finished: that worker died. Close its attempt.
            session.execute(
                update(IngestionAttempt)
                .where(
                    IngestionAttempt.document_id == document.id,
                    IngestionAttempt.outcome == "running",
                )
                .values(
                    outcome="abandoned",
                    finished_at=datetime.now(UTC),
                    error="The worker stopped mid-document",
                )
            )
        previous = (
            select(func.coalesce(func.max(IngestionAttempt.number), 0) + 1)
            .where(IngestionAttempt.document_id == document.id)
            .scalar_subquery()
        )
        attempt_id = uuid.uuid4()
        session.execute(
            insert(IngestionAttempt).values(
                id=attempt_id,
                organization_id=document.organization_id,
                document_id=document.id,
                number=previous,
                worker=worker,
            )
        )
        return attempt_id

    def finish_attempt(
        self, session: Session, attempt_id: uuid.UUID, outcome: str, error: str | None
    ) -> None:
        session.execute(
            update(IngestionAttempt)
            .where(IngestionAttempt.id == attempt_id)
            .values(outcome=outcome, error=error, finished_at=datetime.now(UTC))
        )

    def mark_indexed(
        self, session: Session, document_id: uuid.UUID, chunk_count: int, page_count: int | None
    ) -> dict[str, object] | None:
        """Set the document `indexed`; returns its access list (owner, visibility, groups)."""
        row = session.execute(
            update(Document)
            .where(Document.id == document_id)
            .values(status="indexed", error=None, chunk_count=chunk_count, page_count=page_count)
            .returning(Document.owner_id, Document.visibility, Document.group_ids)
        ).first()
        if row is None:
            return None
        return {"owner_id": row[0], "visibility": row[1], "group_ids": row[2]}

    def stuck_documents(
        self, session: Session, stuck_after_seconds: int, statuses: tuple[str, ...]
    ) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
        """(document, org, owner) of documents stuck in `statuses`; runs without a tenant."""
        session.execute(text("SELECT set_config('app.maintenance', 'sweeper', true)"))
        cutoff = datetime.now(UTC) - timedelta(seconds=stuck_after_seconds)
        rows = session.execute(
            select(Document.id, Document.organization_id, Document.owner_id).where(
                Document.status.in_(statuses),
                Document.updated_at < cutoff,
            )
        ).all()
        session.execute(text("SELECT set_config('app.maintenance', '', true)"))
        return [(row[0], row[1], row[2]) for row in rows]


ingestion_repo = IngestionRepository()
