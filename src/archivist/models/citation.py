import uuid

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from archivist.core.db import Base
from archivist.models._columns import OrgFk, UserFk, UUIDPk


class Citation(Base):
    """Source `n` of an assistant message. Title and snippet are kept as they were when cited."""

    __tablename__ = "citations"
    __table_args__ = (UniqueConstraint("message_id", "n"),)

    id: Mapped[UUIDPk]
    organization_id: Mapped[OrgFk]
    user_id: Mapped[UserFk]
    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("chat_messages.id", ondelete="CASCADE"), index=True
    )
    n: Mapped[int] = mapped_column(Integer)
    # Plain ids, not foreign keys: a citation outlives the deletion of its source.
    document_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    chunk_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    title: Mapped[str] = mapped_column(String(512))
    snippet: Mapped[str] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    # The span of the chunk's text that supports the answer, and that text as it was.
    quote: Mapped[str | None] = mapped_column(Text)
    quote_start: Mapped[int | None] = mapped_column(Integer)
    quote_end: Mapped[int | None] = mapped_column(Integer)
