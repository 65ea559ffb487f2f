import uuid

from pgvector.sqlalchemy import Vector
from sqlalchemy import Computed, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from archivist.core.db import Base
from archivist.models._columns import CreatedAt, OrgFk, UUIDPk

EMBEDDING_DIM = 384


class Chunk(Base):
    """A passage of a document with its embedding.

    The document's access list is copied here (owner, visibility, groups) so that row-level
    security filters search results without a join; document updates keep it in step.
    """

    __tablename__ = "chunks"
    __table_args__ = (
        Index(
            "ix_chunks_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Mapped[UUIDPk]
    organization_id: Mapped[OrgFk]
    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    visibility: Mapped[str] = mapped_column(String(16))
    group_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(UUID(as_uuid=True)), server_default=text("'{}'")
    )
    ord: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    embedding: Mapped[list[float]] = mapped_column(Vector(EMBEDDING_DIM))
    # Keyword index (BM25): stemmed term -> frequency in title + text, and the total term count;
    # triggers copy them into `postings`, which search reads.
    terms: Mapped[dict[str, int]] = mapped_column(JSONB, server_default="{}")
    length: Mapped[int] = mapped_column(Integer, Computed("bm25_length(terms)", persisted=True))
    created_at: Mapped[CreatedAt]
