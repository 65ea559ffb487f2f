"""The `DocumentIndex` interface: what search needs from an index, whatever engine holds it."""

import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

Mode = Literal["hybrid", "keyword", "semantic"]


@dataclass(frozen=True)
class IndexedChunk:
    ord: int
    text: str
    page: int | None
    index_text: str  # what the keyword leg sees: the title with the chunk's text
    embedding: list[float]


@dataclass(frozen=True)
class SearchFilters:
    document_ids: list[uuid.UUID] | None = None
    mime_types: list[str] | None = None
    updated_after: datetime | None = None


@dataclass(frozen=True)
class SearchQuery:
    text: str
    # May still be computing when the search starts: the keyword leg runs meanwhile.
    embedding: Awaitable[list[float]] | list[float]
    limit: int = 10
    mode: Mode = "hybrid"
    filters: SearchFilters = field(default_factory=SearchFilters)


@dataclass(frozen=True)
class Hit:
    chunk_id: uuid.UUID
    document_id: uuid.UUID
    file_id: uuid.UUID
    title: str
    filename: str
    text: str
    snippet: str
    page: int | None
    score: float


class DocumentIndex(Protocol):
    def index_chunks(
        self,
        session: Session,
        document_id: uuid.UUID,
        access: dict[str, object],
        chunks: list[IndexedChunk],
    ) -> None:
        """Replace the document's chunks (worker side, inside its transaction)."""
        ...

    async def delete_document(self, session: AsyncSession, document_id: uuid.UUID) -> None: ...

    async def search(
        self, session: AsyncSession, query: SearchQuery, fork: async_sessionmaker[AsyncSession]
    ) -> list[Hit]:
        """Best chunks first, only from documents the session's tenant may see.

        `fork` opens further transactions, for work the index runs in parallel under exactly
        the session's user and organization.
        """
        ...
