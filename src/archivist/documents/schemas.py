import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from archivist.core.types import Title

Visibility = Literal["private", "organization", "groups"]
Status = Literal["queued", "processing", "indexed", "failed"]


class Document(BaseModel):
    id: uuid.UUID
    file_id: uuid.UUID
    title: str
    filename: str
    mime_type: str
    size_bytes: int
    visibility: Visibility
    group_ids: list[uuid.UUID]
    owner_id: uuid.UUID
    status: Status
    error: str | None
    chunk_count: int
    page_count: int | None
    created_at: datetime
    updated_at: datetime


class DocumentUpdate(BaseModel):
    title: Title | None = None
    visibility: Visibility | None = None
    group_ids: list[uuid.UUID] | None = None


MAX_STATUS_IDS = 500


class DocumentStatusQuery(BaseModel):
    """Documents to report on; ids the caller may not see (or that do not exist) are left out."""

    ids: list[uuid.UUID] = Field(max_length=MAX_STATUS_IDS)


class UploadAccepted(BaseModel):
    file_id: uuid.UUID
    document_id: uuid.UUID
    status: Status = "queued"


class DocumentStats(BaseModel):
    """Counts over the documents the caller may see."""

    by_status: dict[str, int]
    documents: int
    chunks: int


class Attempt(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: int
    worker: str | None
    outcome: Literal["running", "indexed", "failed", "retrying", "abandoned"]
    error: str | None
    started_at: datetime
    finished_at: datetime | None
