from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from archivist.core.db import Base
from archivist.models._columns import CreatedAt, OrgFk, UserFk, UUIDPk


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[UUIDPk]
    organization_id: Mapped[OrgFk]
    user_id: Mapped[UserFk]
    name: Mapped[str] = mapped_column(String(200))
    # sha256 of the whole key; keys are random 256-bit secrets, so a slow hash adds nothing.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[CreatedAt]
