"""A deleted document's stored file is purged after a retention window, not at once.

Point-in-time restore brings back the database as it was; the stored file of a document deleted
after that moment must still be there. Deleting a document now records a `file_purges` row
(storage key, purge-after time) in the same transaction; the `files.purge` beat task removes
expired objects. A restore rolls these rows back too, so a restored document's file is never purged.

RLS: a request may record a purge in its own organization only; only the purge task (no tenant,
`app.maintenance = 'purger'`) may list and remove them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archivist.core import rls
from archivist.core.config import get_settings

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PURGER = "(SELECT app_setting('app.maintenance')) = 'purger'"
PURGE_POLICIES: list[rls.Policy] = [
    ("create", "INSERT", None, "organization_id = (SELECT app_org_id())"),
    ("read", "SELECT", PURGER, None),
    ("remove", "DELETE", PURGER, None),
    # SELECT ... FOR UPDATE (two purgers never take the same rows) needs an UPDATE policy's
    # USING; its CHECK refuses every actual change.
    ("lock", "UPDATE", PURGER, "false"),
]


def upgrade() -> None:
    op.create_table(
        "file_purges",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("storage_key", sa.String(length=1024), nullable=False),
        sa.Column("purge_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_purges")),
    )
    op.create_index(op.f("ix_file_purges_purge_after"), "file_purges", ["purge_after"])
    rls.apply(op.execute, "file_purges", PURGE_POLICIES)
    op.execute(rls.grant_statement(get_settings().db.app_role, ["file_purges"]))


def downgrade() -> None:
    op.drop_index(op.f("ix_file_purges_purge_after"), table_name="file_purges")
    op.drop_table("file_purges")
