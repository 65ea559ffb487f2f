"""Row-level security: helper functions, policies on every tenant table, grants to the app role.

The app role sets `app.user_id` / `app.org_id` per transaction. Three narrow pre-authentication
lookups are allowed by their own settings: `app.auth_email` (login), `app.invite_token_hash`
(joining by invite) and `app.api_key_hash` (API-key authentication); each exposes only the one row
that matches a secret the caller already holds.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

from archivist.core import rls
from archivist.core.config import get_settings

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = """
CREATE FUNCTION app_user_id() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
CREATE FUNCTION app_org_id() RETURNS uuid LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;
CREATE FUNCTION app_setting(name text) RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT nullif(current_setting(name, true), '') $$;
-- Runs with the caller's rights, so it sees only the caller's organization's memberships.
CREATE FUNCTION app_is_admin() RETURNS boolean LANGUAGE sql STABLE AS
  $$ SELECT EXISTS (SELECT 1 FROM memberships m
                    WHERE m.user_id = app_user_id() AND m.organization_id = app_org_id()
                      AND m.role = 'admin' AND m.is_active) $$;
CREATE FUNCTION app_group_ids() RETURNS uuid[] LANGUAGE sql STABLE AS
  $$ SELECT coalesce(array_agg(gm.group_id), '{}') FROM group_members gm
     WHERE gm.user_id = app_user_id() AND gm.organization_id = app_org_id() $$;
"""

# Policies wrap the helper functions in scalar subqueries so PostgreSQL evaluates each once per
# statement (an InitPlan), not once per row: it matters when a search scans many chunks.
# Who may see a document-like row with (organization_id, owner_id, visibility, group_ids).
VISIBLE = """organization_id = (SELECT app_org_id()) AND (
    owner_id = (SELECT app_user_id()) OR visibility = 'organization' OR (SELECT app_is_admin())
    OR (visibility = 'groups' AND group_ids && (SELECT app_group_ids())))"""
IN_ORG = "organization_id = (SELECT app_org_id())"
OWN = "organization_id = (SELECT app_org_id()) AND user_id = (SELECT app_user_id())"
ADMIN_IN_ORG = "organization_id = (SELECT app_org_id()) AND (SELECT app_is_admin())"
WRITE_OWN_DOC = "organization_id = (SELECT app_org_id()) AND (owner_id = (SELECT app_user_id()) OR (SELECT app_is_admin()))"
CHUNK_MATCHES_WRITABLE_DOCUMENT = (
    "organization_id = (SELECT app_org_id()) AND EXISTS (SELECT 1 FROM documents d"
    " WHERE d.id = chunks.document_id AND d.organization_id = (SELECT app_org_id())"
    " AND d.owner_id = chunks.owner_id AND d.visibility = chunks.visibility"
    " AND d.group_ids = chunks.group_ids"
    " AND (d.owner_id = (SELECT app_user_id()) OR (SELECT app_is_admin())))"
)

# table -> list of (policy name, command, USING, WITH CHECK)
POLICIES: dict[str, list[rls.Policy]] = {
    "organizations": [
        ("read", "SELECT", "id = (SELECT app_org_id())", None),
        ("create", "INSERT", None, "id = (SELECT app_org_id())"),
        (
            "rename",
            "UPDATE",
            "id = (SELECT app_org_id()) AND (SELECT app_is_admin())",
            "id = (SELECT app_org_id())",
        ),
    ],
    "users": [
        (
            "read",
            "SELECT",
            "id = (SELECT app_user_id()) OR email = (SELECT app_setting('app.auth_email')) OR EXISTS ("
            "SELECT 1 FROM memberships m WHERE m.user_id = users.id"
            " AND m.organization_id = (SELECT app_org_id()))",
            None,
        ),
        ("register", "INSERT", None, "id = (SELECT app_user_id())"),
        ("update_self", "UPDATE", "id = (SELECT app_user_id())", "id = (SELECT app_user_id())"),
    ],
    "memberships": [
        ("read", "SELECT", f"{IN_ORG} OR user_id = (SELECT app_user_id())", None),
        ("join", "INSERT", None, f"{IN_ORG} AND user_id = (SELECT app_user_id())"),
        ("admin_update", "UPDATE", ADMIN_IN_ORG, IN_ORG),
    ],
    "groups": [
        ("read", "SELECT", IN_ORG, None),
        ("admin_write", "ALL", ADMIN_IN_ORG, ADMIN_IN_ORG),
    ],
    "group_members": [
        ("read", "SELECT", IN_ORG, None),
        ("admin_write", "ALL", ADMIN_IN_ORG, ADMIN_IN_ORG),
    ],
    "invites": [
        (
            "read",
            "SELECT",
            f"({ADMIN_IN_ORG}) OR token_hash = (SELECT app_setting('app.invite_token_hash'))",
            None,
        ),
        ("admin_create", "INSERT", None, ADMIN_IN_ORG),
        (
            "accept",
            "UPDATE",
            f"({ADMIN_IN_ORG}) OR token_hash = (SELECT app_setting('app.invite_token_hash'))",
            IN_ORG,
        ),
        ("admin_delete", "DELETE", ADMIN_IN_ORG, None),
    ],
    "api_keys": [
        ("read", "SELECT", f"({OWN}) OR key_hash = (SELECT app_setting('app.api_key_hash'))", None),
        ("create", "INSERT", None, OWN),
        (
            "update",
            "UPDATE",
            f"({OWN}) OR key_hash = (SELECT app_setting('app.api_key_hash'))",
            # Not just the organization: the key must stay its owner's, or a member could
            # re-bind their key to an admin (an UPDATE without WHERE skips the SELECT policy).
            f"({OWN}) OR key_hash = (SELECT app_setting('app.api_key_hash'))",
        ),
        ("delete", "DELETE", OWN, None),
    ],
    "documents": [
        ("read", "SELECT", VISIBLE, None),
        ("create", "INSERT", None, f"{IN_ORG} AND owner_id = (SELECT app_user_id())"),
        ("update", "UPDATE", WRITE_OWN_DOC, IN_ORG),
        ("delete", "DELETE", WRITE_OWN_DOC, None),
    ],
    "files": [
        (
            "read",
            "SELECT",
            # Readable through a visible document only if that document is the file owner's
            # own: anyone may point a document of theirs at any file id.
            f"{IN_ORG} AND (owner_id = (SELECT app_user_id()) OR (SELECT app_is_admin()) OR EXISTS ("
            "SELECT 1 FROM documents d WHERE d.file_id = files.id"
            " AND d.owner_id = files.owner_id))",
            None,
        ),
        ("create", "INSERT", None, f"{IN_ORG} AND owner_id = (SELECT app_user_id())"),
        ("delete", "DELETE", WRITE_OWN_DOC, None),
    ],
    # A chunk carries a copy of its document's access list; the database keeps the copy true.
    "chunks": [
        ("read", "SELECT", VISIBLE, None),
        ("write", "INSERT", None, CHUNK_MATCHES_WRITABLE_DOCUMENT),
        ("update", "UPDATE", WRITE_OWN_DOC, CHUNK_MATCHES_WRITABLE_DOCUMENT),
        ("delete", "DELETE", WRITE_OWN_DOC, None),
    ],
    "chat_sessions": [("own", "ALL", OWN, OWN)],
    "chat_messages": [("own", "ALL", OWN, OWN)],
    "citations": [("own", "ALL", OWN, OWN)],
    "audit_events": [
        # Admins read the organization's log; everyone reads their own actions.
        (
            "read",
            "SELECT",
            f"({ADMIN_IN_ORG}) OR ({IN_ORG} AND actor_id = (SELECT app_user_id()))",
            None,
        ),
        # Nobody writes an entry in someone else's name.
        ("append", "INSERT", None, f"{IN_ORG} AND actor_id = (SELECT app_user_id())"),
    ],
}


def upgrade() -> None:
    app_role = get_settings().db.app_role
    op.execute(FUNCTIONS)
    for table, policies in POLICIES.items():
        rls.apply(op.execute, table, policies)
    op.execute(rls.grant_statement(app_role, list(POLICIES)))


def downgrade() -> None:
    for table, policies in POLICIES.items():
        for name, *_ in policies:
            op.execute(f"DROP POLICY {table}_{name} ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    for function in (
        "(SELECT app_group_ids())",
        "(SELECT app_is_admin())",
        "app_setting(text)",
        "(SELECT app_org_id())",
        "(SELECT app_user_id())",
    ):
        op.execute(f"DROP FUNCTION {function}")
