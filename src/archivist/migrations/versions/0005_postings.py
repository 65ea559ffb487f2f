"""postings: the keyword index's inverted lists

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:50:00.000000

Search used to find keyword candidates through a GIN index on `chunks.terms`. Under row-level
security PostgreSQL may not use an index for a non-leakproof operator such as jsonb's `?|`, so
every query read all of the organization's chunks. Postings are read by their primary key
(`organization_id, term`), with `tf` and `length` in the index, and only the best-scored chunks
are then read from `chunks`, under its policies.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from archivist.core import rls
from archivist.core.config import get_settings

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADD_POSTINGS = """
  INSERT INTO postings (organization_id, term, chunk_id, tf, length)
    SELECT new_rows.organization_id, entry.key, new_rows.id, entry.value::integer, new_rows.length
    FROM new_rows, jsonb_each_text(new_rows.terms) AS entry;"""
REMOVE_POSTINGS = """
  DELETE FROM postings AS p USING old_rows, jsonb_object_keys(old_rows.terms) AS k(term)
  WHERE p.organization_id = old_rows.organization_id AND p.term = k.term
    AND p.chunk_id = old_rows.id;"""


def trigger_functions(postings: bool) -> str:
    """The 0004 trigger functions, keeping `postings` too when asked.

    index_stats is still updated first (see 0004: writers queue on it, so they never deadlock
    on term rows).
    """
    return f"""
CREATE OR REPLACE FUNCTION chunks_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO index_stats AS s (organization_id, chunk_count, token_count)
    SELECT organization_id, count(*), sum(length) FROM new_rows GROUP BY 1 ORDER BY 1
  ON CONFLICT (organization_id) DO UPDATE
    SET chunk_count = s.chunk_count + excluded.chunk_count,
        token_count = s.token_count + excluded.token_count;
  INSERT INTO term_stats AS t (organization_id, term, df)
    SELECT organization_id, term, count(*)
    FROM new_rows, jsonb_object_keys(new_rows.terms) AS term
    GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (organization_id, term) DO UPDATE SET df = t.df + excluded.df;{ADD_POSTINGS if postings else ""}
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION chunks_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE index_stats AS s
    SET chunk_count = s.chunk_count - d.chunks, token_count = s.token_count - d.tokens
    FROM (SELECT organization_id, count(*) AS chunks, sum(length) AS tokens
          FROM old_rows GROUP BY 1) AS d
    WHERE s.organization_id = d.organization_id;
  WITH gone AS (
    SELECT organization_id, term, count(*) AS df
    FROM old_rows, jsonb_object_keys(old_rows.terms) AS term
    GROUP BY 1, 2 ORDER BY 1, 2
  ), lowered AS (
    UPDATE term_stats AS t SET df = t.df - gone.df FROM gone
    WHERE t.organization_id = gone.organization_id AND t.term = gone.term
    RETURNING t.organization_id, t.term, t.df
  )
  DELETE FROM term_stats AS t USING lowered
  WHERE t.organization_id = lowered.organization_id AND t.term = lowered.term
    AND lowered.df <= 0;{REMOVE_POSTINGS if postings else ""}
  RETURN NULL;
END $$;
"""


IN_ORG = "organization_id = (SELECT app_org_id())"
POLICIES: list[rls.Policy] = [("in_org", "ALL", IN_ORG, IN_ORG)]


def upgrade() -> None:
    op.create_table(
        "postings",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("chunk_id", sa.UUID(), nullable=False),
        sa.Column("tf", sa.Integer(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "organization_id",
            "term",
            "chunk_id",
            name=op.f("pk_postings"),
            postgresql_include=["tf", "length"],
        ),
    )
    op.drop_index("ix_chunks_terms", table_name="chunks", postgresql_using="gin")
    # Chunks indexed before this revision get their postings; the owner reads them past RLS
    # for this one statement.
    op.execute("ALTER TABLE chunks NO FORCE ROW LEVEL SECURITY")
    op.execute(
        "INSERT INTO postings (organization_id, term, chunk_id, tf, length)"
        " SELECT c.organization_id, entry.key, c.id, entry.value::integer, c.length"
        " FROM chunks c, jsonb_each_text(c.terms) AS entry"
    )
    op.execute("ALTER TABLE chunks FORCE ROW LEVEL SECURITY")
    op.execute(trigger_functions(postings=True))
    rls.apply(op.execute, "postings", POLICIES)
    op.execute(rls.grant_statement(get_settings().db.app_role, ["postings"]))


def downgrade() -> None:
    op.execute(trigger_functions(postings=False))
    op.create_index("ix_chunks_terms", "chunks", ["terms"], unique=False, postgresql_using="gin")
    op.drop_table("postings")
