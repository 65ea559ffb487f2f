"""Joining by invite gets exactly the invite's role, enforced by the database.

Before: the `memberships` join policy let a user insert themselves into the organization of the
transaction with any role, and the invite accept policy let the token holder rewrite any column of
the invite (its role included). Only the application chose the role. Now:

- a membership can be inserted only as the first (admin) member of a new organization, or with
  the role of the open, unexpired invite whose token the transaction holds
  (`app.invite_token_hash`);
- an invite's role, email, token and expiry never change once it is created (a trigger: a
  policy cannot compare a row with its previous version).

Revision ID: 0007_invite_roles
Revises: 0006_rls_hardening
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWN_IN_ORG = "organization_id = (SELECT app_org_id()) AND user_id = (SELECT app_user_id())"
JOIN_CHECK = f"""{OWN_IN_ORG} AND (
    EXISTS (SELECT 1 FROM invites i
            WHERE i.token_hash = (SELECT app_setting('app.invite_token_hash'))
              AND i.organization_id = memberships.organization_id
              AND i.role = memberships.role
              AND i.accepted_at IS NULL AND i.expires_at > now())
    OR (memberships.role = 'admin' AND NOT app_org_has_members(memberships.organization_id)))"""
# A function, not a subquery: a policy on memberships may not query memberships itself.
FUNCTION = """
CREATE FUNCTION app_org_has_members(org uuid) RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = org) $$
"""
# Moving an invite to another organization is the RLS policies' business; this guards the rest.
FROZEN_INVITE = """
CREATE FUNCTION invites_keep_their_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.role, NEW.email, NEW.token_hash, NEW.expires_at)
     IS DISTINCT FROM (OLD.role, OLD.email, OLD.token_hash, OLD.expires_at) THEN
    RAISE EXCEPTION 'an invite''s role, email, token and expiry cannot change'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER invites_keep_their_terms BEFORE UPDATE ON invites
  FOR EACH ROW EXECUTE FUNCTION invites_keep_their_terms();
"""


def upgrade() -> None:
    op.execute(FUNCTION)
    op.execute("DROP POLICY IF EXISTS memberships_join ON memberships")
    op.execute(
        f"CREATE POLICY memberships_join ON memberships FOR INSERT TO PUBLIC WITH CHECK ({JOIN_CHECK})"
    )
    op.execute(FROZEN_INVITE)


def downgrade() -> None:
    op.execute("DROP TRIGGER invites_keep_their_terms ON invites")
    op.execute("DROP FUNCTION invites_keep_their_terms()")
    op.execute("DROP POLICY IF EXISTS memberships_join ON memberships")
    op.execute(
        f"CREATE POLICY memberships_join ON memberships FOR INSERT TO PUBLIC WITH CHECK ({OWN_IN_ORG})"
    )
    op.execute("DROP FUNCTION app_org_has_members(uuid)")
