"""Rows inserted straight into tenant tables, as a given user in a given organization.

Every insert runs under row-level security exactly like application code: the caller opens a
tenant transaction with `as_tenant` and each helper writes through the app role. Plain Core
INSERTs (no RETURNING) are used so that setting up a row nobody but an admin may read back — an
audit event without an actor, say — does not trip the SELECT policy that RETURNING would apply.
"""

import hashlib
import secrets
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from archivist.core.db import set_tenant
from archivist.models import (
    ApiKey,
    AuditEvent,
    ChatMessage,
    ChatSession,
    Chunk,
    Citation,
    Document,
    File,
    Group,
    GroupMember,
    IngestionAttempt,
    Invite,
)
from archivist.models.chunk import EMBEDDING_DIM


@asynccontextmanager
async def as_tenant(
    sessionmaker: async_sessionmaker[AsyncSession],
    user_id: uuid.UUID | None,
    org_id: uuid.UUID | None,
    *,
    commit: bool = False,
) -> AsyncIterator[AsyncSession]:
    """One transaction scoped to `user_id` in `org_id`; rolled back unless `commit`."""
    async with sessionmaker() as session:
        await set_tenant(session, user_id, org_id)
        yield session
        if commit:
            await session.commit()
        else:
            await session.rollback()


def embedding(seed: int = 0) -> list[float]:
    """A unit vector of the embedder's dimension, different for each seed."""
    vector = [0.0] * EMBEDDING_DIM
    vector[seed % EMBEDDING_DIM] = 1.0
    return vector


def random_hash() -> str:
    return hashlib.sha256(secrets.token_bytes(32)).hexdigest()


@dataclass(frozen=True)
class DocumentRows:
    file_id: uuid.UUID
    document_id: uuid.UUID
    chunk_id: uuid.UUID
    attempt_id: uuid.UUID


@dataclass(frozen=True)
class ChatRows:
    session_id: uuid.UUID
    message_id: uuid.UUID
    citation_id: uuid.UUID


async def add_group(
    session: AsyncSession, org_id: uuid.UUID, name: str, member_ids: Sequence[uuid.UUID] = ()
) -> uuid.UUID:
    group_id = uuid.uuid4()
    await session.execute(insert(Group).values(id=group_id, organization_id=org_id, name=name))
    for user_id in member_ids:
        await session.execute(
            insert(GroupMember).values(group_id=group_id, user_id=user_id, organization_id=org_id)
        )
    return group_id


async def add_file(
    session: AsyncSession, org_id: uuid.UUID, owner_id: uuid.UUID, filename: str
) -> uuid.UUID:
    file_id = uuid.uuid4()
    await session.execute(
        insert(File).values(
            id=file_id,
            organization_id=org_id,
            owner_id=owner_id,
            storage_key=f"orgs/{org_id}/files/{file_id}/{filename}",
            filename=filename,
            mime_type="text/plain",
            size_bytes=42,
            sha256=random_hash(),
        )
    )
    return file_id


async def add_document(
    session: AsyncSession,
    org_id: uuid.UUID,
    owner_id: uuid.UUID,
    title: str,
    visibility: str = "private",
    group_ids: Sequence[uuid.UUID] = (),
) -> DocumentRows:
    """A file, its indexed document, the attempt that indexed it, and one chunk carrying a copy
    of the document's access list."""
    file_id = await add_file(session, org_id, owner_id, f"{title}.txt")
    document_id = uuid.uuid4()
    await session.execute(
        insert(Document).values(
            id=document_id,
            organization_id=org_id,
            owner_id=owner_id,
            file_id=file_id,
            title=title,
            visibility=visibility,
            group_ids=list(group_ids),
            status="indexed",
            chunk_count=1,
        )
    )
    chunk_id = uuid.uuid4()
    await session.execute(
        insert(Chunk).values(
            id=chunk_id,
            organization_id=org_id,
            document_id=document_id,
            owner_id=owner_id,
            visibility=visibility,
            group_ids=list(group_ids),
            ord=0,
            text=f"The text of {title}.",
            embedding=embedding(len(title)),
            terms={"text": 1, title: 1},
        )
    )
    attempt_id = uuid.uuid4()
    await session.execute(
        insert(IngestionAttempt).values(
            id=attempt_id,
            organization_id=org_id,
            document_id=document_id,
            number=1,
            worker="test",
            outcome="indexed",
            finished_at=datetime.now(UTC),
        )
    )
    return DocumentRows(file_id, document_id, chunk_id, attempt_id)


async def add_chat(
    session: AsyncSession,
    org_id: uuid.UUID,
    user_id: uuid.UUID,
    cited: DocumentRows,
    title: str,
) -> ChatRows:
    """A chat session with one assistant message citing `cited`."""
    session_id, message_id, citation_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await session.execute(
        insert(ChatSession).values(
            id=session_id, organization_id=org_id, user_id=user_id, title=title
        )
    )
    await session.execute(
        insert(ChatMessage).values(
            id=message_id,
            organization_id=org_id,
            user_id=user_id,
            session_id=session_id,
            role="assistant",
            content=f"Answer in {title} [1]",
        )
    )
    await session.execute(
        insert(Citation).values(
            id=citation_id,
            organization_id=org_id,
            user_id=user_id,
            message_id=message_id,
            n=1,
            document_id=cited.document_id,
            chunk_id=cited.chunk_id,
            title=title,
            snippet="cited passage",
        )
    )
    return ChatRows(session_id, message_id, citation_id)


async def add_api_key(
    session: AsyncSession, org_id: uuid.UUID, user_id: uuid.UUID, name: str
) -> uuid.UUID:
    key_id = uuid.uuid4()
    await session.execute(
        insert(ApiKey).values(
            id=key_id,
            organization_id=org_id,
            user_id=user_id,
            name=name,
            key_hash=random_hash(),
            prefix="ak_test",
        )
    )
    return key_id


async def add_invite(
    session: AsyncSession, org_id: uuid.UUID, created_by: uuid.UUID, role: str = "member"
) -> uuid.UUID:
    invite_id = uuid.uuid4()
    await session.execute(
        insert(Invite).values(
            id=invite_id,
            organization_id=org_id,
            token_hash=random_hash(),
            role=role,
            created_by=created_by,
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )
    )
    return invite_id


async def add_audit_event(
    session: AsyncSession, org_id: uuid.UUID, actor_id: uuid.UUID | None, action: str
) -> uuid.UUID:
    event_id = uuid.uuid4()
    await session.execute(
        insert(AuditEvent).values(
            id=event_id, organization_id=org_id, actor_id=actor_id, action=action, data={}
        )
    )
    return event_id
