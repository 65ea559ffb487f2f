"""Grounded answers: per-sentence support on answers, the supporting span on citations.

`chat_messages.grounding` says how an answer relates to the documents and `sentences` holds, per
sentence, whether a source supports it and where; `citations.quote*` keep the supporting span of
the cited chunk. Existing rows keep null/empty values (answered before the check existed).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("chat_messages", sa.Column("grounding", sa.String(length=16), nullable=True))
    op.add_column(
        "chat_messages",
        sa.Column(
            "sentences",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
    )
    op.add_column("citations", sa.Column("quote", sa.Text(), nullable=True))
    op.add_column("citations", sa.Column("quote_start", sa.Integer(), nullable=True))
    op.add_column("citations", sa.Column("quote_end", sa.Integer(), nullable=True))


def downgrade() -> None:
    for column in ("quote_end", "quote_start", "quote"):
        op.drop_column("citations", column)
    op.drop_column("chat_messages", "sentences")
    op.drop_column("chat_messages", "grounding")
