import uuid

from sqlalchemy import Integer, PrimaryKeyConstraint, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from archivist.core.db import Base


class Posting(Base):
    """One term of one chunk: the keyword index's inverted list, BM25's term frequency.

    Written only by the triggers on `chunks` (an insert adds a chunk's postings, any delete
    removes them), so it never disagrees with the chunks; there are no foreign keys to check on
    the ~100 rows each chunk adds. The primary key carries `tf` and `length`, so a query term's
    postings are read from the index alone, in one range. Search still returns only chunks the
    caller may see: every hit is joined back to `chunks` under its row-level security.
    """

    __tablename__ = "postings"
    __table_args__ = (
        PrimaryKeyConstraint(
            "organization_id", "term", "chunk_id", postgresql_include=["tf", "length"]
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    term: Mapped[str] = mapped_column(Text)
    chunk_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    tf: Mapped[int] = mapped_column(Integer)
    length: Mapped[int] = mapped_column(Integer)
