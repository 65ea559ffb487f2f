"""One round trip to scope a request to its user and read who they are.

Every authenticated request used to send two statements before its own work: the
`set_config` of the row-level-security context, then the membership lookup (and `/api/me` a
third, the profile). `app_authenticate(user_id, org_id)` does both in order inside one call:
it sets `app.user_id` and `app.org_id` for the rest of the transaction (`is_local`, as before),
then returns the user's membership with their profile, read under those settings. It runs with
the caller's rights (SECURITY INVOKER), so row-level security applies to the lookup exactly as it
did to the separate statements: a row the user may not see is not returned.

A function rather than one plain statement: within a single query PostgreSQL does not promise to
run the `set_config` before the policies that read it; the statements of a PL/pgSQL body run in
order.

Revision ID: 0009_authenticate_function
Revises: 0008_file_purges
Create Date: 2026-12-01
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE FUNCTION app_authenticate(p_user_id uuid, p_org_id uuid)
RETURNS TABLE (
  member_role text, member_is_active boolean, member_org_id uuid,
  user_email text, user_created_at timestamptz, org_name text
) LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
BEGIN
  PERFORM set_config('app.user_id', p_user_id::text, true),
          set_config('app.org_id', p_org_id::text, true);
  RETURN QUERY
    SELECT m.role::text, m.is_active, m.organization_id, u.email::text, u.created_at, o.name::text
    FROM memberships m
    JOIN users u ON u.id = m.user_id
    JOIN organizations o ON o.id = m.organization_id
    WHERE m.user_id = p_user_id;
END $$
"""


def upgrade() -> None:
    op.execute(FUNCTION)


def downgrade() -> None:
    op.execute("DROP FUNCTION app_authenticate(uuid, uuid)")
