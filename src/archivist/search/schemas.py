import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from archivist.core.types import Title


class SearchFilters(BaseModel):
    document_ids: list[uuid.UUID] | None = None
    mime_types: list[str] | None = None
    updated_after: datetime | None = None


class SearchRequest(BaseModel):
    query: Title = Field(description="What to look for, in plain words")
    limit: int = Field(default=10, ge=1, le=100)
    filters: SearchFilters | None = None
    mode: Literal["hybrid", "keyword", "semantic"] = Field(
        default="hybrid", description="`keyword` (BM25) or `semantic` alone, for comparison"
    )


class SearchResult(BaseModel):
    document_id: uuid.UUID
    file_id: uuid.UUID = Field(description="For `GET /api/files/{file_id}/download`")
    chunk_id: uuid.UUID
    title: str
    filename: str
    snippet: str
    highlights: list[tuple[int, int]] = Field(
        default=[], description="[start, end) offsets of matched terms in `snippet`"
    )
    page: int | None
    score: float = Field(
        description="Higher is better. Derived from the result's rank in each leg (reciprocal "
        "rank fusion), never from raw keyword statistics, which would reveal other documents."
    )


class SearchResponse(BaseModel):
    results: list[SearchResult]
    took_ms: float
