import uuid
from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from archivist.core.db import Base
from archivist.models._columns import CreatedAt, UUIDPk


class FilePurge(Base):
    """A deleted file's stored object, kept until `purge_after` so that a point-in-time restore
    within the retention window finds it again; the `files.purge` task removes it then.

    No foreign key to the organization: a purge must outlive the organization it came from,
    or its objects would never be removed.
    """

    __tablename__ = "file_purges"

    id: Mapped[UUIDPk]
    organization_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    storage_key: Mapped[str] = mapped_column(String(1024))
    purge_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[CreatedAt]
