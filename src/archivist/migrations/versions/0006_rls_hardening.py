"""Documents stay with their owner and their owner's file, on insert and on update

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

The `documents_update` policy checked only the organization of the new row, so an owner could
point `owner_id` at a colleague or `file_id` at a colleague's file, and `documents_create` let a
member file a document over a colleague's upload. The API never did either; now the policies
refuse it. The file's owner is read by a PL/pgSQL function under the caller's own row-level
security: a policy on `documents` cannot query `files` directly, since the policy on `files`
reads `documents` (PostgreSQL refuses such a cycle when it expands policies).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE FUNCTION app_file_owner(file uuid) RETURNS uuid LANGUAGE plpgsql STABLE AS
  $$ BEGIN RETURN (SELECT f.owner_id FROM files f WHERE f.id = file); END $$"""
IN_ORG = "organization_id = (SELECT app_org_id())"
OWNERS_FILE = "app_file_owner(file_id) = owner_id"
CREATE_CHECK = f"{IN_ORG} AND owner_id = (SELECT app_user_id()) AND {OWNERS_FILE}"
UPDATE_CHECK = (
    f"{IN_ORG} AND (owner_id = (SELECT app_user_id()) OR (SELECT app_is_admin())) AND {OWNERS_FILE}"
)


def upgrade() -> None:
    op.execute(FUNCTION)
    op.execute(f"ALTER POLICY documents_create ON documents WITH CHECK ({CREATE_CHECK})")
    op.execute(f"ALTER POLICY documents_update ON documents WITH CHECK ({UPDATE_CHECK})")


def downgrade() -> None:
    op.execute(
        f"ALTER POLICY documents_create ON documents"
        f" WITH CHECK ({IN_ORG} AND owner_id = (SELECT app_user_id()))"
    )
    op.execute(f"ALTER POLICY documents_update ON documents WITH CHECK ({IN_ORG})")
    op.execute("DROP FUNCTION app_file_owner(uuid)")
