"""Alembic runs as the database owner role; the application role only gets the grants below."""

from alembic import context
from sqlalchemy import pool

import archivist.models  # noqa: F401  (registers every table)
from archivist.core.config import get_settings
from archivist.core.db import Base, create_sync_db_engine

settings = get_settings()
url = (
    context.config.attributes.get("url") or settings.migration_database_url or settings.database_url
)
if not url:
    raise RuntimeError("Set ARCHIVIST_MIGRATION_DATABASE_URL or DATABASE_URL to run migrations")

engine = create_sync_db_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
