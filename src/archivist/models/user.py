from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from archivist.core.db import Base
from archivist.models._columns import CreatedAt, UUIDPk


class User(Base):
    """A person. Which organization they belong to, and as what, is their `Membership`."""

    __tablename__ = "users"

    id: Mapped[UUIDPk]
    # Stored lower-cased; unique across the installation because login is by email alone.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[CreatedAt]
