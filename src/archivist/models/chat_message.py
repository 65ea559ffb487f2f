import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from archivist.core.db import Base
from archivist.models._columns import CreatedAt, OrgFk, UserFk, UUIDPk


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (CheckConstraint("role IN ('user', 'assistant')", name="role"),)

    id: Mapped[UUIDPk]
    organization_id: Mapped[OrgFk]
    user_id: Mapped[UserFk]
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("chat_sessions.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(Text)
    # For answers: how they relate to the documents (chat.schemas.Grounding), and per sentence
    # whether a source supports it, which one and where (chat.schemas.Sentence).
    grounding: Mapped[str | None] = mapped_column(String(16))
    sentences: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'"))
    created_at: Mapped[CreatedAt]
