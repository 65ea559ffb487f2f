import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from archivist.core.types import Name, Text


class SessionCreate(BaseModel):
    title: str | None = Field(default=None, max_length=200)


class MessageCreate(BaseModel):
    content: Text = Field(min_length=1, max_length=8000)
    stream: bool = True


class SessionUpdate(BaseModel):
    title: Name


class Citation(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    n: int
    document_id: uuid.UUID
    chunk_id: uuid.UUID
    title: str
    snippet: str
    page: int | None


class Message(BaseModel):
    id: uuid.UUID
    role: Literal["user", "assistant"]
    content: str
    citations: list[Citation] = []
    created_at: datetime


class Session(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    created_at: datetime
    updated_at: datetime


class SessionDetail(Session):
    messages: list[Message] = []
