import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from archivist.core.db import Base
from archivist.models._columns import CreatedAt, OrgFk, UpdatedAt, UserFk, UUIDPk

VISIBILITIES = ("private", "organization", "groups")
STATUSES = ("queued", "processing", "indexed", "failed")


class Document(Base):
    """A file's searchable form and its access list (`visibility`, `group_ids`)."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(f"visibility IN {VISIBILITIES}", name="visibility"),
        CheckConstraint(f"status IN {STATUSES}", name="status"),
    )

    id: Mapped[UUIDPk]
    organization_id: Mapped[OrgFk]
    owner_id: Mapped[UserFk]
    file_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(512))
    visibility: Mapped[str] = mapped_column(String(16), server_default="private")
    # Groups the document is shared with when visibility is `groups`.
    group_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(UUID(as_uuid=True)), server_default=text("'{}'")
    )
    status: Mapped[str] = mapped_column(String(16), server_default="queued", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    chunk_count: Mapped[int] = mapped_column(Integer, server_default="0")
    page_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
