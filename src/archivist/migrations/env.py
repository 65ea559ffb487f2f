"""Alembic runs as the database owner role; the application role only gets the grants below."""

from alembic import context
from sqlalchemy import pool, text

import archivist.models  # noqa: F401  (registers every table)
from archivist.core.config import get_settings
from archivist.core.db import Base, create_sync_db_engine

# Any fixed number, the same in every process: the key of the lock that lets one migration run
# at a time (in PostgreSQL's advisory-lock space, shared by every client of the database).
MIGRATION_LOCK_KEY = 0x617263686976  # "archiv"

settings = get_settings()
url = (
    context.config.attributes.get("url") or settings.migration_database_url or settings.database_url
)
if not url:
    raise RuntimeError("Set ARCHIVIST_MIGRATION_DATABASE_URL or DATABASE_URL to run migrations")

engine = create_sync_db_engine(url, settings.db, poolclass=pool.NullPool)
with engine.connect() as connection:
    # Replicas, Helm hooks and operators may start `archivist migrate` at the same moment. Without
    # this lock both would see an empty database and create the same tables, and one would fail
    # half-way. With it, the second waits, then finds the schema current and does nothing. The
    # lock is held by the session (not a transaction), so it spans every migration's transaction
    # and is released when the connection closes, even if this process dies.
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    connection.commit()
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
    connection.commit()
