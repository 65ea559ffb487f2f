"""Search: embed the query, ask the index inside the caller's RLS transaction, shape the results."""

import asyncio
import time
from collections.abc import Awaitable

from sqlalchemy.ext.asyncio import AsyncSession

from archivist.core.state import AppState
from archivist.index.base import Hit, SearchFilters, SearchQuery
from archivist.index.postgres import HIGHLIGHT_END, HIGHLIGHT_START, postgres_index
from archivist.search import schemas


def highlight(snippet: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove the index's match markers; return the plain text and the marked spans."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for char in snippet:
        if char == HIGHLIGHT_START:
            start = length
        elif char == HIGHLIGHT_END:
            if start is not None:
                spans.append((start, length))
            start = None
        else:
            plain.append(char)
            length += 1
    return "".join(plain), spans


def to_result(hit: Hit) -> schemas.SearchResult:
    snippet, spans = highlight(hit.snippet)
    return schemas.SearchResult(
        document_id=hit.document_id,
        file_id=hit.file_id,
        chunk_id=hit.chunk_id,
        title=hit.title,
        filename=hit.filename,
        snippet=snippet,
        highlights=spans,
        page=hit.page,
        score=round(hit.score, 6),
    )


class SearchService:
    async def retrieve(
        self,
        session: AsyncSession,
        state: AppState,
        text: str,
        limit: int,
        mode: str = "hybrid",
        filters: SearchFilters | None = None,
    ) -> list[Hit]:
        """The best chunks for `text` that this session's user may see."""
        embedding: Awaitable[list[float]] | list[float] = []
        if mode != "keyword":
            # Computed in a thread while the index runs the keyword leg (the first call may
            # also load the model: never on the event loop).
            embedding = asyncio.ensure_future(
                asyncio.to_thread(lambda: state.embedder.embed([text])[0])
            )
        query = SearchQuery(
            text=text,
            embedding=embedding,
            limit=limit,
            mode=mode,  # type: ignore[arg-type]
            filters=filters or SearchFilters(),
        )
        return await postgres_index.search(session, query, fork=state.legs_sessionmaker)

    async def search(
        self, session: AsyncSession, state: AppState, request: schemas.SearchRequest
    ) -> schemas.SearchResponse:
        started = time.perf_counter()
        f = request.filters
        filters = SearchFilters(
            document_ids=f.document_ids if f else None,
            mime_types=f.mime_types if f else None,
            updated_after=f.updated_after if f else None,
        )
        hits = await self.retrieve(
            session, state, request.query, request.limit, request.mode, filters
        )
        took_ms = round((time.perf_counter() - started) * 1000, 1)
        return schemas.SearchResponse(results=[to_result(h) for h in hits], took_ms=took_ms)


search = SearchService()
