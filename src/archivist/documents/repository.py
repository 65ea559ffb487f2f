"""Every query about documents and their files, from the API (async, under the caller's RLS)."""

import uuid
from datetime import datetime

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from archivist.core.pagination import keyset_after
from archivist.models import Chunk, Document, File, Group, IngestionAttempt


def _with_file() -> Select[Document, File]:
    return select(Document, File).join(File, File.id == Document.file_id)


class DocumentRepository:
    async def get(
        self, session: AsyncSession, document_id: uuid.UUID
    ) -> tuple[Document, File] | None:
        row = (await session.execute(_with_file().where(Document.id == document_id))).first()
        return (row[0], row[1]) if row else None

    async def get_many(
        self, session: AsyncSession, document_ids: list[uuid.UUID]
    ) -> list[tuple[Document, File]]:
        rows = await session.execute(_with_file().where(Document.id.in_(document_ids)))
        return [(row[0], row[1]) for row in rows]

    async def visible_many(
        self, session: AsyncSession, org_id: uuid.UUID, document_ids: list[uuid.UUID]
    ) -> list[tuple[Document, File]]:
        """The given documents that RLS lets the caller see, newest first."""
        query = (
            _with_file()
            .where(Document.organization_id == org_id, Document.id.in_(document_ids))
            .order_by(Document.created_at.desc(), Document.id.desc())
        )
        return [(row[0], row[1]) for row in await session.execute(query)]

    async def page(
        self,
        session: AsyncSession,
        org_id: uuid.UUID,
        limit: int,
        after: tuple[datetime, uuid.UUID] | None,
        status: str | None,
        title_query: str | None,
    ) -> list[tuple[Document, File]]:
        query = _with_file().where(Document.organization_id == org_id)
        if status:
            query = query.where(Document.status == status)
        if title_query:
            pattern = (
                "%"
                + title_query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                + "%"
            )
            query = query.where(or_(Document.title.ilike(pattern), File.filename.ilike(pattern)))
        query = keyset_after(query, Document.created_at, Document.id, after).limit(limit)
        return [(row[0], row[1]) for row in await session.execute(query)]

    async def existing_group_ids(
        self, session: AsyncSession, org_id: uuid.UUID, group_ids: list[uuid.UUID]
    ) -> set[uuid.UUID]:
        rows = await session.scalars(
            select(Group.id).where(Group.organization_id == org_id, Group.id.in_(group_ids))
        )
        return set(rows)

    async def sync_chunk_access(self, session: AsyncSession, document: Document) -> None:
        await session.execute(
            update(Chunk)
            .where(Chunk.document_id == document.id)
            .values(
                owner_id=document.owner_id,
                visibility=document.visibility,
                group_ids=document.group_ids,
            )
        )

    async def delete_file(self, session: AsyncSession, file_id: uuid.UUID) -> None:
        """Deleting the file row cascades to its document, chunks and attempts."""
        await session.execute(delete(File).where(File.id == file_id))

    async def visible_file(self, session: AsyncSession, file_id: uuid.UUID) -> File | None:
        return await session.get(File, file_id)

    async def attempts(
        self, session: AsyncSession, document_id: uuid.UUID
    ) -> list[IngestionAttempt]:
        rows = await session.scalars(
            select(IngestionAttempt)
            .where(IngestionAttempt.document_id == document_id)
            .order_by(IngestionAttempt.number)
        )
        return list(rows)

    async def stats(self, session: AsyncSession, org_id: uuid.UUID) -> list[tuple[str, int, int]]:
        """(status, documents, chunks) for every status present."""
        rows = await session.execute(
            select(Document.status, func.count(), func.coalesce(func.sum(Document.chunk_count), 0))
            .where(Document.organization_id == org_id)
            .group_by(Document.status)
        )
        return [(status, int(count), int(chunks)) for status, count, chunks in rows]


documents_repo = DocumentRepository()
