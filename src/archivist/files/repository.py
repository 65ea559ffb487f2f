"""Queries about stored files that outlive their rows: the purges of deleted documents' objects."""

import uuid
from datetime import datetime

from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from archivist.models import FilePurge


class FileRepository:
    async def add_purge(
        self, session: AsyncSession, org_id: uuid.UUID, storage_key: str, purge_after: datetime
    ) -> None:
        # A plain INSERT (no RETURNING): the caller's RLS may write a purge but not read it.
        await session.execute(
            insert(FilePurge).values(
                id=uuid.uuid4(),
                organization_id=org_id,
                storage_key=storage_key,
                purge_after=purge_after,
            )
        )

    def expired_purges(
        self, session: Session, now: datetime, limit: int
    ) -> list[tuple[uuid.UUID, str]]:
        """(purge id, storage key) of expired purges, locked for this transaction; runs
        without a tenant as the purger."""
        session.execute(text("SELECT set_config('app.maintenance', 'purger', true)"))
        rows = session.execute(
            select(FilePurge.id, FilePurge.storage_key)
            .where(FilePurge.purge_after <= now)
            .order_by(FilePurge.purge_after)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        return [(row[0], row[1]) for row in rows]

    def remove_purges(self, session: Session, purge_ids: list[uuid.UUID]) -> None:
        session.execute(delete(FilePurge).where(FilePurge.id.in_(purge_ids)))


files_repo = FileRepository()
