import uuid

from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from archivist.core.db import Base


class TermStat(Base):
    """How many chunks of an organization contain a term (BM25 document frequency).

    Kept by triggers on `chunks`, so every insert and delete (cascades included) counts.
    """

    __tablename__ = "term_stats"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(Text, primary_key=True)
    df: Mapped[int] = mapped_column(Integer)
