import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from archivist.core.types import Name, Text


class SessionCreate(BaseModel):
    title: str | None = Field(default=None, max_length=200)


class MessageCreate(BaseModel):
    content: Text = Field(min_length=1, max_length=8000)
    stream: bool = True


class SessionUpdate(BaseModel):
    title: Name


Grounding = Literal["grounded", "partial", "extractive", "not_found", "unchecked"]


class Citation(BaseModel):
    """Source `n`: the passage the answer drew on, and the span of it that supports the answer."""

    model_config = ConfigDict(from_attributes=True)

    n: int
    document_id: uuid.UUID
    chunk_id: uuid.UUID
    title: str
    snippet: str
    page: int | None
    passage: str | None = Field(
        default=None, description="The passage's whole text; null once it no longer exists."
    )
    quote: str | None = Field(default=None, description="The supporting text, as cited.")
    quote_start: int | None = Field(default=None, description="Where `quote` starts in passage.")
    quote_end: int | None = Field(default=None, description="Where `quote` ends in passage.")


class Sentence(BaseModel):
    """One sentence of an answer, as `content[start:end]`, and what supports it."""

    start: int
    end: int
    supported: bool
    citation: int | None = Field(description="The number `n` of the supporting source.")
    quote_start: int | None = Field(description="The supporting span in that source's passage.")
    quote_end: int | None


class Message(BaseModel):
    id: uuid.UUID
    role: Literal["user", "assistant"]
    content: str
    citations: list[Citation] = []
    created_at: datetime
    grounding: Grounding | None = Field(
        default=None,
        description=(
            "How the answer relates to the documents: `grounded` (every sentence supported by "
            "its citation), `partial` (unsupported sentences were removed, or are marked in "
            "`sentences`), `extractive` (quoted source sentences), `not_found` (the documents "
            "do not answer the question), `unchecked` (grounding is off); null for questions."
        ),
    )
    sentences: list[Sentence] = []


def message(row: Any, citations: list[Any], passages: dict[uuid.UUID, str]) -> Message:
    """A stored message with its citations; `passages` holds the cited chunks' current text."""
    return Message(
        id=row.id,
        role=row.role,
        content=row.content,
        citations=[
            Citation.model_validate(c).model_copy(update={"passage": passages.get(c.chunk_id)})
            for c in citations
        ],
        created_at=row.created_at,
        grounding=row.grounding,
        sentences=[Sentence.model_validate(s) for s in row.sentences or []],
    )


class Session(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    created_at: datetime
    updated_at: datetime


class SessionDetail(Session):
    messages: list[Message] = []
