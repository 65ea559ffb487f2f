from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from archivist.core.db import Base
from archivist.models._columns import CreatedAt, OrgFk, UUIDPk


class Group(Base):
    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[UUIDPk]
    organization_id: Mapped[OrgFk]
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[CreatedAt]
