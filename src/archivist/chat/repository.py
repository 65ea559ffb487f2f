"""Every query about chat sessions, messages and citations."""

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from archivist.core.pagination import keyset_after
from archivist.models import ChatMessage, ChatSession, Chunk, Citation


class ChatRepository:
    async def list_sessions(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        limit: int,
        after: tuple[datetime, uuid.UUID] | None,
    ) -> list[ChatSession]:
        query = select(ChatSession).where(ChatSession.user_id == user_id)
        query = keyset_after(query, ChatSession.updated_at, ChatSession.id, after)
        return list(await session.scalars(query.limit(limit)))

    async def get_session(
        self, session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> ChatSession | None:
        return await session.scalar(
            select(ChatSession).where(ChatSession.id == session_id, ChatSession.user_id == user_id)
        )

    async def messages(
        self, session: AsyncSession, session_id: uuid.UUID
    ) -> list[tuple[ChatMessage, list[Citation]]]:
        messages = list(
            await session.scalars(
                select(ChatMessage)
                .where(ChatMessage.session_id == session_id)
                .order_by(ChatMessage.created_at, ChatMessage.id)
            )
        )
        citations: dict[uuid.UUID, list[Citation]] = defaultdict(list)
        if messages:
            rows = await session.scalars(
                select(Citation)
                .where(Citation.message_id.in_([m.id for m in messages]))
                .order_by(Citation.n)
            )
            for citation in rows:
                citations[citation.message_id].append(citation)
        return [(message, citations[message.id]) for message in messages]

    async def passages(
        self, session: AsyncSession, chunk_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        """The current text of the cited chunks that still exist and that the caller may see."""
        if not chunk_ids:
            return {}
        rows = await session.execute(select(Chunk.id, Chunk.text).where(Chunk.id.in_(chunk_ids)))
        return {chunk_id: text for chunk_id, text in rows.tuples()}

    async def delete_session(
        self, session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID
    ) -> bool:
        result = await session.execute(
            delete(ChatSession)
            .where(ChatSession.id == session_id, ChatSession.user_id == user_id)
            .returning(ChatSession.id)
        )
        return result.first() is not None


chat_repo = ChatRepository()
