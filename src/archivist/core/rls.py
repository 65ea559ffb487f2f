"""SQL for row-level-security migrations: policies on a table and grants to the app role."""

from collections.abc import Callable, Sequence

# (policy name, command, USING, WITH CHECK)
Policy = tuple[str, str, str | None, str | None]


def enable_statements(table: str, policies: Sequence[Policy]) -> list[str]:
    statements = [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
    ]
    for name, command, using, check in policies:
        sql = f"CREATE POLICY {table}_{name} ON {table} FOR {command} TO PUBLIC"
        if using:
            sql += f" USING ({using})"
        if check:
            sql += f" WITH CHECK ({check})"
        statements.append(sql)
    return statements


def grant_statement(app_role: str, tables: Sequence[str]) -> str:
    """Grant DML on `tables` to the app role, when that role exists (it may be created later)."""
    return (
        f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{app_role}') THEN "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(tables)} TO {app_role}; "
        f"END IF; END $$"
    )


def apply(execute: Callable[[str], object], table: str, policies: Sequence[Policy]) -> None:
    for statement in enable_statements(table, policies):
        execute(statement)
