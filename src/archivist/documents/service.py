"""Documents: upload, listing, access changes, deletion, re-indexing, download."""

import asyncio
import hashlib
import logging
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from archivist.audit.service import audit
from archivist.auth.principal import Principal
from archivist.core.db import after_commit, after_rollback
from archivist.core.errors import Forbidden, InvalidPayload
from archivist.core.pagination import Page, cut, decode_cursor
from archivist.core.state import AppState
from archivist.documents import schemas
from archivist.documents.exceptions import DocumentNotFound, InvalidGroups
from archivist.documents.repository import documents_repo
from archivist.files.exceptions import (
    EmptyUpload,
    FileNotFound,
    UnsupportedFileType,
    UploadTooLarge,
)
from archivist.files.service import file_service
from archivist.files.upload import ReceivedUpload, receive_upload
from archivist.index.postgres import postgres_index
from archivist.ingestion import formats
from archivist.models import Document, File
from archivist.storage.base import object_key
from archivist.worker.task_names import PROCESS_DOCUMENT

logger = logging.getLogger(__name__)
MIB = 1024 * 1024
VISIBILITIES = ("private", "organization", "groups")


def to_schema(document: Document, file: File) -> schemas.Document:
    return schemas.Document(
        id=document.id,
        file_id=file.id,
        title=document.title,
        filename=file.filename,
        mime_type=file.mime_type,
        size_bytes=file.size_bytes,
        visibility=document.visibility,
        group_ids=list(document.group_ids or []),
        owner_id=document.owner_id,
        status=document.status,
        error=document.error,
        chunk_count=document.chunk_count,
        page_count=document.page_count,
        created_at=document.created_at,
        updated_at=document.updated_at,
    )


class DocumentService:
    async def upload(
        self,
        session: AsyncSession,
        state: AppState,
        principal: Principal,
        content_type: str,
        content_length: int | None,
        body: AsyncIterator[bytes],
    ) -> schemas.UploadAccepted:
        max_bytes = state.settings.max_upload_mb * MIB
        if content_length is not None and content_length > max_bytes + 64 * 1024:
            raise UploadTooLarge(
                f"The file is larger than the {state.settings.max_upload_mb} MB limit"
            )
        spool = state.settings.data_dir.resolve() / "tmp" / "uploads"
        received = await receive_upload(content_type, body, spool, max_bytes)
        try:
            return await self._store_upload(session, state, principal, received)
        finally:
            received.path.unlink(missing_ok=True)

    async def upload_local_file(
        self,
        session: AsyncSession,
        state: AppState,
        principal: Principal,
        path: Path,
        fields: dict[str, str],
    ) -> schemas.UploadAccepted:
        """The same path as an HTTP upload, for a file already on this machine (bulk ingest)."""
        received = await asyncio.to_thread(_describe_local_file, path, fields)
        max_bytes = state.settings.max_upload_mb * MIB
        if received.size > max_bytes:
            raise UploadTooLarge(
                f"The file is larger than the {state.settings.max_upload_mb} MB limit"
            )
        if received.size == 0:
            raise EmptyUpload()
        return await self._store_upload(session, state, principal, received)

    async def _store_upload(
        self, session: AsyncSession, state: AppState, principal: Principal, received: ReceivedUpload
    ) -> schemas.UploadAccepted:
        try:
            fmt = await asyncio.to_thread(formats.sniff_file, received.path, received.filename)
        except formats.UnsupportedFileType as exc:
            raise UnsupportedFileType(str(exc)) from exc
        visibility = received.fields.get("visibility", "").strip() or "private"
        group_ids = _parse_group_ids(received.fields.get("group_ids", ""))
        await self._check_access(session, principal, visibility, group_ids)
        title = (
            received.fields.get("title", "").strip()[:512]
            or Path(received.filename).stem
            or "Untitled"
        )

        file_id, document_id = uuid.uuid4(), uuid.uuid4()
        key = object_key(principal.org_id, file_id, received.filename)
        await asyncio.to_thread(state.store.put_file, key, received.path, fmt.mime_type)
        after_rollback(session, lambda: asyncio.to_thread(state.store.delete, key))
        session.add(
            File(
                id=file_id,
                organization_id=principal.org_id,
                owner_id=principal.user_id,
                storage_key=key,
                filename=received.filename[:512],
                mime_type=fmt.mime_type,
                size_bytes=received.size,
                sha256=received.sha256,
            )
        )
        await session.flush()
        session.add(
            Document(
                id=document_id,
                organization_id=principal.org_id,
                owner_id=principal.user_id,
                file_id=file_id,
                title=title,
                visibility=visibility,
                group_ids=group_ids if visibility == "groups" else [],
                status="queued",
            )
        )
        await session.flush()
        await audit.record(
            session,
            principal.org_id,
            principal.user_id,
            "document.uploaded",
            "document",
            document_id,
            filename=received.filename,
            size_bytes=received.size,
            sha256=received.sha256,
        )
        self._enqueue_after_commit(session, state, document_id, principal.org_id, principal.user_id)
        return schemas.UploadAccepted(file_id=file_id, document_id=document_id)

    def _enqueue_after_commit(
        self,
        session: AsyncSession,
        state: AppState,
        document_id: uuid.UUID,
        org_id: uuid.UUID,
        owner_id: uuid.UUID,
    ) -> None:
        def send() -> None:
            state.celery.send_task(
                PROCESS_DOCUMENT,
                args=[str(document_id), str(org_id), str(owner_id)],
                queue="docprocessing",
            )

        after_commit(session, lambda: asyncio.to_thread(send))

    async def _check_access(
        self,
        session: AsyncSession,
        principal: Principal,
        visibility: str,
        group_ids: list[uuid.UUID],
    ) -> None:
        if visibility not in VISIBILITIES:
            raise InvalidPayload("visibility: must be one of private, organization, groups")
        if visibility == "groups":
            if not group_ids:
                raise InvalidPayload("group_ids: required when visibility is `groups`")
            found = await documents_repo.existing_group_ids(session, principal.org_id, group_ids)
            if found != set(group_ids):
                raise InvalidGroups()

    async def page(
        self,
        session: AsyncSession,
        principal: Principal,
        limit: int,
        cursor: str | None,
        status: str | None,
        title_query: str | None,
    ) -> Page[schemas.Document]:
        after = decode_cursor(cursor) if cursor else None
        rows = await documents_repo.page(
            session, principal.org_id, limit + 1, after, status, title_query
        )
        rows, next_cursor = cut(rows, limit, lambda row: (row[0].created_at, row[0].id))
        return Page(items=[to_schema(d, f) for d, f in rows], next_cursor=next_cursor)

    async def many(
        self, session: AsyncSession, principal: Principal, document_ids: list[uuid.UUID]
    ) -> Page[schemas.Document]:
        if not document_ids:
            return Page(items=[])
        rows = await documents_repo.visible_many(
            session, principal.org_id, list(dict.fromkeys(document_ids))
        )
        return Page(items=[to_schema(d, f) for d, f in rows])

    async def stats(self, session: AsyncSession, principal: Principal) -> schemas.DocumentStats:
        rows = await documents_repo.stats(session, principal.org_id)
        by_status = {status: 0 for status in ("queued", "processing", "indexed", "failed")}
        by_status.update({status: count for status, count, _ in rows})
        return schemas.DocumentStats(
            by_status=by_status,
            documents=sum(count for _, count, _ in rows),
            chunks=sum(chunks for _, _, chunks in rows),
        )

    async def get(
        self, session: AsyncSession, principal: Principal, document_id: uuid.UUID
    ) -> schemas.Document:
        document, file = await self._visible(session, document_id)
        return to_schema(document, file)

    async def update(
        self,
        session: AsyncSession,
        principal: Principal,
        document_id: uuid.UUID,
        data: schemas.DocumentUpdate,
    ) -> schemas.Document:
        document, file = await self._writable(session, principal, document_id)
        visibility = data.visibility or document.visibility
        group_ids = data.group_ids if data.group_ids is not None else list(document.group_ids or [])
        if visibility != "groups":
            group_ids = []
        await self._check_access(session, principal, visibility, group_ids)
        if data.title is not None:
            document.title = data.title.strip()
        access_changed = (visibility, set(group_ids)) != (
            document.visibility,
            set(document.group_ids or []),
        )
        document.visibility = visibility
        document.group_ids = group_ids
        await session.flush()
        if access_changed:
            await documents_repo.sync_chunk_access(session, document)
            await audit.record(
                session,
                principal.org_id,
                principal.user_id,
                "document.access_changed",
                "document",
                document.id,
                visibility=visibility,
                group_ids=[str(g) for g in group_ids],
            )
        await session.refresh(document)
        return to_schema(document, file)

    async def delete(
        self, session: AsyncSession, state: AppState, principal: Principal, document_id: uuid.UUID
    ) -> None:
        document, file = await self._writable(session, principal, document_id)
        key = file.storage_key
        await postgres_index.delete_document(session, document.id)
        await documents_repo.delete_file(session, file.id)
        # The stored file stays for the retention window, so that a point-in-time restore to
        # before this deletion finds it; `files.purge` removes it afterwards.
        await file_service.schedule_purge(session, state.settings, principal.org_id, key)
        await audit.record(
            session,
            principal.org_id,
            principal.user_id,
            "document.deleted",
            "document",
            document.id,
            filename=file.filename,
        )

    async def reindex(
        self, session: AsyncSession, state: AppState, principal: Principal, document_id: uuid.UUID
    ) -> schemas.Document:
        document, file = await self._writable(session, principal, document_id)
        document.status = "queued"
        document.error = None
        await session.flush()
        await session.refresh(document)
        self._enqueue_after_commit(
            session, state, document.id, document.organization_id, document.owner_id
        )
        return to_schema(document, file)

    async def attempts(
        self, session: AsyncSession, principal: Principal, document_id: uuid.UUID
    ) -> list[schemas.Attempt]:
        await self._visible(session, document_id)
        return [
            schemas.Attempt.model_validate(a)
            for a in await documents_repo.attempts(session, document_id)
        ]

    async def download_file(
        self, session: AsyncSession, principal: Principal, file_id: uuid.UUID
    ) -> File:
        file = await documents_repo.visible_file(session, file_id)
        if file is None:
            raise FileNotFound()
        return file

    async def _visible(
        self, session: AsyncSession, document_id: uuid.UUID
    ) -> tuple[Document, File]:
        found = await documents_repo.get(session, document_id)
        if found is None:
            raise DocumentNotFound()
        return found

    async def _writable(
        self, session: AsyncSession, principal: Principal, document_id: uuid.UUID
    ) -> tuple[Document, File]:
        document, file = await self._visible(session, document_id)
        if document.owner_id != principal.user_id and not principal.is_admin:
            raise Forbidden("Only the document's owner or an admin can change it")
        return document, file


def _describe_local_file(path: Path, fields: dict[str, str]) -> ReceivedUpload:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return ReceivedUpload(
        path=path,
        filename=path.name,
        size=size,
        sha256=digest.hexdigest(),
        declared_type="",
        fields=fields,
    )


def _parse_group_ids(raw: str) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(part.strip()) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise InvalidPayload("group_ids: a comma-separated list of group ids") from exc


document = DocumentService()
