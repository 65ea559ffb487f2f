"""Chat sessions and their history. Answering messages arrives with retrieval."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from archivist.auth.principal import Principal
from archivist.chat import schemas
from archivist.chat.exceptions import ChatSessionNotFound
from archivist.chat.repository import chat_repo
from archivist.core.pagination import Page, cut, decode_cursor
from archivist.models import ChatSession

DEFAULT_TITLE = "New chat"


class ChatService:
    async def create_session(
        self, session: AsyncSession, principal: Principal, data: schemas.SessionCreate
    ) -> schemas.Session:
        title = (data.title or "").strip() or DEFAULT_TITLE
        row = ChatSession(organization_id=principal.org_id, user_id=principal.user_id, title=title)
        session.add(row)
        await session.flush()
        await session.refresh(row)
        return schemas.Session.model_validate(row)

    async def list_sessions(
        self, session: AsyncSession, principal: Principal, limit: int, cursor: str | None
    ) -> Page[schemas.Session]:
        after = decode_cursor(cursor) if cursor else None
        rows = await chat_repo.list_sessions(session, principal.user_id, limit + 1, after)
        rows, next_cursor = cut(rows, limit, lambda row: (row.updated_at, row.id))
        return Page(
            items=[schemas.Session.model_validate(r) for r in rows], next_cursor=next_cursor
        )

    async def get_session(
        self, session: AsyncSession, principal: Principal, session_id: uuid.UUID
    ) -> schemas.SessionDetail:
        row = await self._owned(session, principal, session_id)
        history = await chat_repo.messages(session, row.id)
        passages = await chat_repo.passages(
            session, [c.chunk_id for _, citations in history for c in citations]
        )
        messages = [schemas.message(m, citations, passages) for m, citations in history]
        return schemas.SessionDetail(
            id=row.id,
            title=row.title,
            created_at=row.created_at,
            updated_at=row.updated_at,
            messages=messages,
        )

    async def rename_session(
        self,
        session: AsyncSession,
        principal: Principal,
        session_id: uuid.UUID,
        data: schemas.SessionUpdate,
    ) -> schemas.Session:
        row = await self._owned(session, principal, session_id)
        row.title = data.title.strip()
        await session.flush()
        await session.refresh(row)
        return schemas.Session.model_validate(row)

    async def delete_session(
        self, session: AsyncSession, principal: Principal, session_id: uuid.UUID
    ) -> None:
        if not await chat_repo.delete_session(session, principal.user_id, session_id):
            raise ChatSessionNotFound()

    async def _owned(
        self, session: AsyncSession, principal: Principal, session_id: uuid.UUID
    ) -> ChatSession:
        row = await chat_repo.get_session(session, principal.user_id, session_id)
        if row is None:
            raise ChatSessionNotFound()
        return row


chat = ChatService()
