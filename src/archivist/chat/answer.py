"""Answering a chat message: store it, rephrase, retrieve, write a grounded answer, store it.

Each database step is its own short transaction; none stays open while the model streams.
Events, in order: ("sources", [citation]) → ("delta", {"text", "supported"})… → ("done", message),
or ("error", {"error", "detail"}) after which the session holds the question and no half answer.

How the answer is written: when the best source sentence scores below `chat.answerable_score`,
the documents do not answer the question and the reply says so, without asking a model. Else,
with no model configured, the answer is the best source sentences, quoted (extractive.py). With a
model, each sentence it writes is checked against its sources as it streams (writer.py); in
strict mode, an answer left with no supported sentence quotes the sources instead.
"""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, update

from archivist.auth.principal import Principal
from archivist.chat import schemas
from archivist.chat.citations import Source
from archivist.chat.exceptions import ChatSessionNotFound
from archivist.chat.extractive import answerable, rank, select
from archivist.chat.grounding import Checker
from archivist.chat.prompts import answer_messages, rephrase_messages
from archivist.chat.repository import chat_repo
from archivist.chat.service import DEFAULT_TITLE
from archivist.chat.text import claims
from archivist.chat.writer import Writer
from archivist.core.db import set_tenant, transaction
from archivist.core.state import AppState
from archivist.llm.base import LLM, ChatMessage, LLMError, LLMTimeout
from archivist.llm.factory import create_llm
from archivist.models import ChatMessage as MessageRow
from archivist.models import ChatSession, Citation
from archivist.search.service import highlight, search

logger = logging.getLogger(__name__)
Event = tuple[str, Any]


NOT_FOUND = "Your documents do not answer this question."
# A question with fewer content words than this is read as a follow-up of the previous one.
FOLLOW_UP_WORDS = 3


class ChatAnswerer:
    async def events(
        self, state: AppState, principal: Principal, session_id: uuid.UUID, question: str
    ) -> AsyncIterator[Event]:
        history = await self._store_question(state, principal, session_id, question)
        llm = await asyncio.to_thread(create_llm, state.settings)
        query = await self._standalone_query(llm, history, question)
        sources = await self._retrieve(state, principal, query)
        yield "sources", [_citation(s) for s in sources]

        settings = state.settings.chat
        writer = Writer(Checker(question, sources), settings.grounding)
        stored = False
        try:
            ranked = await asyncio.to_thread(rank, query, sources, state.embedder)
            if settings.grounding != "off" and not await asyncio.to_thread(
                answerable, query, ranked, settings.answerable_score, state.embedder
            ):
                grounding = "not_found"
                pieces = writer.say(NOT_FOUND)
            elif llm is None:
                grounding = "extractive"
                pieces = writer.quote_sources(select(query, ranked))
            else:
                pieces = []
                messages = answer_messages(sources, history, question)
                async for piece in llm.stream(messages, state.settings.llm.max_answer_tokens):
                    for text, supported in writer.feed(piece):
                        yield "delta", {"text": text, "supported": supported}
                pieces = writer.finish()
                grounding = _grounding(writer, settings.grounding)
                if settings.grounding == "strict" and not writer.sentences:
                    grounding = "extractive"
                    pieces += writer.quote_sources(select(query, ranked))
            for text, supported in pieces:
                yield "delta", {"text": text, "supported": supported}
            message = await self._store_answer(
                state, principal, session_id, writer, grounding, sources
            )
            stored = True
            yield "done", message.model_dump(mode="json")
        except LLMError as exc:
            name = "LLMTimeout" if isinstance(exc, LLMTimeout) else "LLMUnavailable"
            yield "error", {"error": name, "detail": str(exc)}
        finally:
            if not stored and writer.content:
                # The reader left (or the model broke off) mid-answer: keep what was said,
                # marked as cut short, so the conversation stays whole.
                writer.content += " …"
                await asyncio.shield(
                    self._store_answer(state, principal, session_id, writer, "partial", sources)
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

    async def _standalone_query(
        self, llm: LLM | None, history: list[ChatMessage], question: str
    ) -> str:
        last_question = next((m["content"] for m in reversed(history) if m["role"] == "user"), "")
        if not last_question:
            return question
        if llm is not None and llm.capable:
            try:
                rewritten = ""
                async for piece in llm.stream(rephrase_messages(history, question), 64):
                    rewritten += piece
                if rewritten.strip():
                    return rewritten.strip().strip('"')
            except LLMError:
                logger.warning("could not rephrase the question; searching with the history")
        # Without a capable model: a question that names its own subject stands alone; a short
        # follow-up ("and in Tallinn?") takes its topic from the previous question.
        if len(claims(question).words) >= FOLLOW_UP_WORDS:
            return question
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

    async def _store_answer(
        self,
        state: AppState,
        principal: Principal,
        session_id: uuid.UUID,
        writer: Writer,
        grounding: str,
        sources: list[Source],
    ) -> schemas.Message:
        by_number = {s.n: s for s in sources}
        quotes: dict[int, tuple[int, int] | None] = {}
        for sentence in writer.sentences:
            if sentence.citation in by_number and sentence.citation not in quotes:
                quotes[sentence.citation] = sentence.quote
        records = [
            schemas.Sentence(
                start=w.start,
                end=w.end,
                supported=w.supported,
                citation=w.citation,
                quote_start=w.quote[0] if w.quote else None,
                quote_end=w.quote[1] if w.quote else None,
            )
            for w in writer.sentences
        ]
        async with transaction(state.sessionmaker) as session:
            await set_tenant(session, principal.user_id, principal.org_id)
            row = MessageRow(
                id=uuid.uuid4(),
                organization_id=principal.org_id,
                user_id=principal.user_id,
                session_id=session_id,
                role="assistant",
                content=writer.content,
                grounding=grounding,
                sentences=[r.model_dump() for r in records],
            )
            session.add(row)
            await session.flush()
            citations = [
                Citation(
                    organization_id=principal.org_id,
                    user_id=principal.user_id,
                    message_id=row.id,
                    n=n,
                    document_id=uuid.UUID(by_number[n].document_id),
                    chunk_id=uuid.UUID(by_number[n].chunk_id),
                    title=by_number[n].title,
                    snippet=by_number[n].snippet,
                    page=by_number[n].page,
                    quote=by_number[n].text[span[0] : span[1]] if span else None,
                    quote_start=span[0] if span else None,
                    quote_end=span[1] if span else None,
                )
                for n, span in sorted(quotes.items())
            ]
            session.add_all(citations)
            await session.flush()
            await session.refresh(row)
        passages = {uuid.UUID(s.chunk_id): s.text for s in sources}
        return schemas.message(row, citations, passages)


def _grounding(writer: Writer, mode: str) -> str:
    if mode == "off":
        return "unchecked"
    if writer.dropped or writer.supported < len(writer.sentences):
        return "partial"
    return "grounded"


def _citation(source: Source) -> dict[str, Any]:
    return {
        "n": source.n,
        "document_id": source.document_id,
        "chunk_id": source.chunk_id,
        "title": source.title,
        "snippet": source.snippet,
        "page": source.page,
        "passage": source.text,
        "quote": None,
        "quote_start": None,
        "quote_end": None,
    }


answerer = ChatAnswerer()
