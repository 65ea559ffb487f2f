from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from archivist.core.db import Base
from archivist.models._columns import CreatedAt, UUIDPk


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[UUIDPk]
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[CreatedAt]
