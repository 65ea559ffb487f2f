from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from archivist.core.db import Base
from archivist.models._columns import CreatedAt, OrgFk, UserFk, UUIDPk


class File(Base):
    """An uploaded object in the object store."""

    __tablename__ = "files"

    id: Mapped[UUIDPk]
    organization_id: Mapped[OrgFk]
    owner_id: Mapped[UserFk]
    storage_key: Mapped[str] = mapped_column(String(1024))
    filename: Mapped[str] = mapped_column(String(512))
    mime_type: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[CreatedAt]
