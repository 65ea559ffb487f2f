"""Answering a chat message: store it, rephrase, retrieve, stream the model, cite, store the answer.

Each database step is its own short transaction; none stays open while the model streams.
Events, in order: ("sources", [citation]) → ("delta", {"text"})… → ("done", message), or
("error", {"error", "detail"}) after which the session holds the question and no half answer.
"""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, update

from archivist.auth.principal import Principal
from archivist.chat import schemas
from archivist.chat.citations import Source, attribute, cited_numbers, repair_markers
from archivist.chat.exceptions import ChatSessionNotFound
from archivist.chat.prompts import answer_messages, rephrase_messages
from archivist.chat.repository import chat_repo
from archivist.chat.service import DEFAULT_TITLE
from archivist.core.db import set_tenant, transaction
from archivist.core.state import AppState
from archivist.llm.base import LLM, ChatMessage, LLMError, LLMTimeout
from archivist.llm.factory import create_llm
from archivist.models import ChatMessage as MessageRow
from archivist.models import ChatSession, Citation
from archivist.search.service import highlight, search

logger = logging.getLogger(__name__)
Event = tuple[str, Any]


class ChatAnswerer:
    async def events(
        self, state: AppState, principal: Principal, session_id: uuid.UUID, question: str
    ) -> AsyncIterator[Event]:
        history = await self._store_question(state, principal, session_id, question)
        llm = await asyncio.to_thread(create_llm, state.settings)
        query = await self._standalone_query(llm, history, question)
        sources = await self._retrieve(state, principal, query)
        yield "sources", [_citation(s) for s in sources]

        text = ""
        stored = False
        try:
            messages = answer_messages(sources, history, question)
            async for piece in llm.stream(messages, state.settings.llm.max_answer_tokens):
                text += piece
                yield "delta", {"text": piece}
            final = await self._cite(state, llm, text, sources)
            message = await self._store_answer(state, principal, session_id, final, sources)
            stored = True
            yield "done", message.model_dump(mode="json")
        except LLMError as exc:
            name = "LLMTimeout" if isinstance(exc, LLMTimeout) else "LLMUnavailable"
            yield "error", {"error": name, "detail": str(exc)}
        finally:
            if not stored and text:
                # The reader left (or the model broke off) mid-answer: keep what was said,
                # marked as cut short, so the conversation stays whole.
                await asyncio.shield(
                    self._store_answer(state, principal, session_id, text + " …", [])
                )

    async def _store_question(
        self, state: AppState, principal: Principal, session_id: uuid.UUID, question: str
    ) -> list[ChatMessage]:
        async with transaction(state.sessionmaker) as session:
            await set_tenant(session, principal.user_id, principal.org_id)
            chat_session = await chat_repo.get_session(session, principal.user_id, session_id)
            if chat_session is None:
                raise ChatSessionNotFound()
            previous = await chat_repo.messages(session, session_id)
            keep = state.settings.chat.history_messages
            history: list[ChatMessage] = [
                {"role": m.role, "content": m.content} for m, _ in previous[-keep:]
            ]
            session.add(
                MessageRow(
                    organization_id=principal.org_id,
                    user_id=principal.user_id,
                    session_id=session_id,
                    role="user",
                    content=question,
                )
            )
            title = chat_session.title
            if title == DEFAULT_TITLE and not previous:
                title = question.strip().splitlines()[0][:80] or DEFAULT_TITLE
            await session.execute(
                update(ChatSession)
                .where(ChatSession.id == session_id)
                .values(title=title, updated_at=func.now())
            )
        return history

    async def _standalone_query(self, llm: LLM, history: list[ChatMessage], question: str) -> str:
        last_question = next((m["content"] for m in reversed(history) if m["role"] == "user"), "")
        if not last_question:
            return question
        if llm.capable:
            try:
                rewritten = ""
                async for piece in llm.stream(rephrase_messages(history, question), 64):
                    rewritten += piece
                if rewritten.strip():
                    return rewritten.strip().strip('"')
            except LLMError:
                logger.warning("could not rephrase the question; searching with the history")
        # Without a capable model, the previous question carries the topic of a follow-up.
        return f"{last_question} {question}"

    async def _retrieve(self, state: AppState, principal: Principal, query: str) -> list[Source]:
        async with transaction(state.sessionmaker) as session:
            await set_tenant(session, principal.user_id, principal.org_id)
            hits = await search.retrieve(session, state, query, state.settings.chat.sources)
        return [
            Source(
                n=i + 1,
                document_id=str(hit.document_id),
                chunk_id=str(hit.chunk_id),
                title=hit.title,
                snippet=highlight(hit.snippet)[0],
                page=hit.page,
                text=hit.text,
            )
            for i, hit in enumerate(hits)
        ]

    async def _cite(self, state: AppState, llm: LLM, text: str, sources: list[Source]) -> str:
        repaired = repair_markers(text, {s.n for s in sources})
        if cited_numbers(repaired) or not sources:
            return repaired
        return await asyncio.to_thread(
            attribute, repaired, sources, state.embedder, state.settings.chat.attribution_threshold
        )

    async def _store_answer(
        self,
        state: AppState,
        principal: Principal,
        session_id: uuid.UUID,
        text: str,
        sources: list[Source],
    ) -> schemas.Message:
        by_number = {s.n: s for s in sources}
        cited = [by_number[n] for n in cited_numbers(text) if n in by_number]
        async with transaction(state.sessionmaker) as session:
            await set_tenant(session, principal.user_id, principal.org_id)
            row = MessageRow(
                id=uuid.uuid4(),
                organization_id=principal.org_id,
                user_id=principal.user_id,
                session_id=session_id,
                role="assistant",
                content=text,
            )
            session.add(row)
            await session.flush()
            citations = [
                Citation(
                    organization_id=principal.org_id,
                    user_id=principal.user_id,
                    message_id=row.id,
                    n=s.n,
                    document_id=uuid.UUID(s.document_id),
                    chunk_id=uuid.UUID(s.chunk_id),
                    title=s.title,
                    snippet=s.snippet,
                    page=s.page,
                )
                for s in sorted(cited, key=lambda s: s.n)
            ]
            session.add_all(citations)
            await session.flush()
            await session.refresh(row)
        return schemas.Message(
            id=row.id,
            role="assistant",
            content=text,
            citations=[schemas.Citation.model_validate(c) for c in citations],
            created_at=row.created_at,
        )


def _citation(source: Source) -> dict[str, Any]:
    return {
        "n": source.n,
        "document_id": source.document_id,
        "chunk_id": source.chunk_id,
        "title": source.title,
        "snippet": source.snippet,
        "page": source.page,
    }


answerer = ChatAnswerer()
