"""Database engines, the per-request transaction and its row-level-security context."""

import ssl
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlalchemy.util import await_

from archivist.core.config import DatabaseSettings, Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


TLS_PARAMETERS = ("sslmode", "sslrootcert", "sslcert", "sslkey")


def tls_parameters(url: str, db: DatabaseSettings) -> dict[str, str]:
    """TLS to the server, in libpq's terms: the settings, and any given in the URL (which win)."""
    query = make_url(url).query
    chosen = {name: getattr(db, name) for name in TLS_PARAMETERS}
    chosen |= {name: str(query[name]) for name in TLS_PARAMETERS if name in query}
    return {name: value for name, value in chosen.items() if value}


def driver_url(url: str, driver: str, db: DatabaseSettings | None = None) -> str:
    """`postgresql://…` as operators write it, with the driver SQLAlchemy needs.

    libpq (psycopg) takes the TLS parameters in the URL; asyncpg takes them as `asyncpg_tls`.
    """
    parsed = make_url(url).set(drivername=f"postgresql+{driver}")
    if driver == "asyncpg":
        parsed = parsed.difference_update_query(TLS_PARAMETERS)
    elif db is not None:
        parsed = parsed.update_query_dict(tls_parameters(url, db))
    return parsed.render_as_string(hide_password=False)


def asyncpg_tls(tls: dict[str, str]) -> ssl.SSLContext | str | None:
    """libpq's TLS parameters as asyncpg's `ssl` argument, with libpq's meaning of each mode."""
    mode = tls.get("sslmode", "")
    if mode in ("", "disable", "allow", "prefer"):
        return mode or None
    context = ssl.create_default_context(cafile=tls.get("sslrootcert"))
    if mode == "require":  # encrypted, the server not verified
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif mode == "verify-ca":  # the server's certificate is checked, its name is not
        context.check_hostname = False
    if "sslcert" in tls:
        context.load_cert_chain(tls["sslcert"], tls.get("sslkey"))
    return context


def create_async_db_engine(settings: Settings) -> AsyncEngine:
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL is not set (archivist up sets it for the embedded stack)")
    db = settings.db
    tls = asyncpg_tls(tls_parameters(settings.database_url, db))
    engine = create_async_engine(
        driver_url(settings.database_url, "asyncpg"),
        pool_size=db.pool_size,
        max_overflow=db.max_overflow,
        pool_recycle=db.pool_recycle_seconds,
        pool_timeout=db.pool_timeout_seconds,
        connect_args={} if tls is None else {"ssl": tls},
    )
    # SQLAlchemy's own pre-ping costs asyncpg three round trips (BEGIN, an empty query,
    # ROLLBACK); this check costs one, or none when pre-ping is off.
    check = _checkout_check(db.pool_pre_ping, db.pool_pre_ping_skip_seconds)
    event.listen(engine.sync_engine, "checkout", check)
    event.listen(engine.sync_engine, "checkin", _note_checkin)
    return engine


_CHECKED_IN_AT = "checked_in_at"


def _note_checkin(_: Any, record: ConnectionPoolEntry) -> None:
    record.info[_CHECKED_IN_AT] = time.monotonic()


def _checkout_check(
    pre_ping: bool, skip_seconds: float
) -> Callable[[Any, ConnectionPoolEntry, PoolProxiedConnection], None]:
    """Before a pooled connection serves a transaction: replace it if asyncpg already knows it
    is closed (the server restarted or ended it; checking costs nothing) and, with `pre_ping`,
    if a trivial query on it fails (a connection that died silently, behind a firewall say),
    unless it was returned to the pool less than `skip_seconds` ago.

    The query goes by the simple-query protocol outside any transaction, so it also works
    behind a transaction pooler. Raising `DisconnectionError` makes the pool discard the
    connection and hand out a new one. A silently dead connection that is not pinged fails the
    one request that meets it, and the disconnect error then renews the whole pool.
    """

    def check(_: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection) -> None:
        connection = proxy.driver_connection
        if connection is None or connection.is_closed():
            raise DisconnectionError("the connection was closed")
        if not pre_ping:
            return
        returned = record.info.get(_CHECKED_IN_AT)
        if returned is not None and time.monotonic() - returned < skip_seconds:
            return
        try:
            await_(connection.execute("SELECT 1"))
        except Exception as error:  # whatever broke, this connection is not to be used
            raise DisconnectionError(f"pre-ping failed: {error!r}") from error

    return check


def create_sync_db_engine(url: str, db: DatabaseSettings, **kwargs: Any) -> Engine:
    return create_engine(driver_url(url, "psycopg", db), **kwargs)


# Row-level security binds a role only if it is no superuser, has no BYPASSRLS and owns no table
# (an owner can switch FORCE off) -- directly or through any role it can become.
UNSAFE_ROLE_SQL = text(
    "SELECT array_remove(ARRAY["
    " CASE WHEN EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolsuper"
    "   AND pg_has_role(current_user, r.oid, 'MEMBER')) THEN 'is a superuser' END,"
    " CASE WHEN EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolbypassrls"
    "   AND pg_has_role(current_user, r.oid, 'MEMBER')) THEN 'has BYPASSRLS' END,"
    " CASE WHEN EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    "   WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
    "   AND pg_has_role(current_user, c.relowner, 'MEMBER')) THEN 'owns tables' END"
    "], NULL), current_user"
)


class UnsafeDatabaseRole(RuntimeError):
    """The application's database role could read past row-level security."""


def _refuse_unsafe(problems: list[str], role: str) -> None:
    if problems:
        raise UnsafeDatabaseRole(
            f"refusing to start: the database role {role!r} {' and '.join(problems)}, so "
            "row-level security would not isolate organizations. Point DATABASE_URL at a role "
            "that is not superuser, has no BYPASSRLS and owns no tables (the owner role is "
            "for migrations only: ARCHIVIST_MIGRATION_DATABASE_URL)."
        )


async def ensure_isolating_role(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        problems, role = (await conn.execute(UNSAFE_ROLE_SQL)).one()
    _refuse_unsafe(problems, role)


def ensure_isolating_role_sync(engine: Engine) -> None:
    with engine.connect() as conn:
        problems, role = conn.execute(UNSAFE_ROLE_SQL).one()
    _refuse_unsafe(problems, role)


TENANT_SQL = text(
    "SELECT set_config('app.user_id', :user_id, true), set_config('app.org_id', :org_id, true)"
)


async def set_tenant(
    session: AsyncSession, user_id: uuid.UUID | None, org_id: uuid.UUID | None
) -> None:
    """Scope the current transaction to one user in one organization (row-level security)."""
    await session.execute(
        TENANT_SQL,
        {"user_id": str(user_id) if user_id else "", "org_id": str(org_id) if org_id else ""},
    )


async def set_lookup(session: AsyncSession, name: str, value: str) -> None:
    """Allow one narrow pre-authentication lookup (`app.auth_email`, `app.api_key_hash`, …)."""
    await session.execute(
        text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value}
    )


def set_tenant_sync(session: Session, user_id: uuid.UUID | None, org_id: uuid.UUID | None) -> None:
    session.execute(
        TENANT_SQL,
        {"user_id": str(user_id) if user_id else "", "org_id": str(org_id) if org_id else ""},
    )


AFTER_COMMIT_KEY = "after_commit"
AFTER_ROLLBACK_KEY = "after_rollback"


def after_commit(session: AsyncSession | Session, callback: Callable[[], Any]) -> None:
    """Run `callback` once the transaction commits; it is dropped on rollback."""
    session.info.setdefault(AFTER_COMMIT_KEY, []).append(callback)


def after_rollback(session: AsyncSession | Session, callback: Callable[[], Any]) -> None:
    """Run `callback` if the transaction rolls back (undo work outside the database)."""
    session.info.setdefault(AFTER_ROLLBACK_KEY, []).append(callback)


async def _run(callbacks: list[Callable[[], Any]]) -> None:
    for callback in callbacks:
        result = callback()
        if hasattr(result, "__await__"):
            await result


@asynccontextmanager
async def transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on error, then run after-commit callbacks."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            session.info.pop(AFTER_COMMIT_KEY, None)
            await _run(session.info.pop(AFTER_ROLLBACK_KEY, []))
            raise
        session.info.pop(AFTER_ROLLBACK_KEY, None)
        await _run(session.info.pop(AFTER_COMMIT_KEY, []))
