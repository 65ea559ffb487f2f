"""TLS to an external PostgreSQL and Redis: the settings reach every driver, and they verify.

The servers are the suite's own, behind a TLS terminator whose certificate names `localhost`
and is signed by a throwaway CA (tests/tls.py). What an operator sees: with the CA configured
the stack connects; with the wrong name or an unknown CA it refuses instead of talking in clear.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from archivist.core.config import DatabaseSettings, RedisSettings, Settings
from archivist.core.db import create_async_db_engine, create_sync_db_engine
from archivist.core.redis import create_redis
from archivist.embedded.services import EmbeddedServices
from archivist.worker.celery_app import create_celery
from tests.tls import Certificates, TlsTerminator, make_certificates


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def postgres_tls(services: EmbeddedServices, certificates: Certificates) -> Iterator[TlsTerminator]:
    port = make_url(services.database_url).port
    assert port is not None
    terminator = TlsTerminator(certificates, port, postgres=True)
    yield terminator
    terminator.close()


@pytest.fixture(scope="module")
def redis_tls(services: EmbeddedServices, certificates: Certificates) -> Iterator[TlsTerminator]:
    port = make_url(services.redis_url.replace("redis://", "postgresql://", 1)).port
    assert port is not None
    terminator = TlsTerminator(certificates, port)
    yield terminator
    terminator.close()


def _via(url: str, terminator: TlsTerminator, host: str = "localhost", **query: str) -> str:
    moved = make_url(url).set(host=host, port=terminator.port).update_query_dict(query)
    return moved.render_as_string(hide_password=False)


def _database(services: EmbeddedServices, terminator: TlsTerminator, **db: str) -> Settings:
    return Settings(
        database_url=_via(services.database_url, terminator),
        db=DatabaseSettings(**db),  # type: ignore[arg-type]
    )


async def _async_select(settings: Settings) -> int:
    engine = create_async_db_engine(settings)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(text("SELECT 1"))).scalar_one())
    finally:
        await engine.dispose()


def _sync_select(url: str, db: DatabaseSettings) -> int:
    engine = create_sync_db_engine(url, db, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT 1")).scalar_one())
    finally:
        engine.dispose()


async def test_postgres_verify_full_connects_with_the_ca(
    services: EmbeddedServices, postgres_tls: TlsTerminator, certificates: Certificates
) -> None:
    settings = _database(
        services, postgres_tls, sslmode="verify-full", sslrootcert=str(certificates.ca)
    )
    before = postgres_tls.handshakes

    assert await _async_select(settings) == 1  # the API's driver (asyncpg)
    assert _sync_select(settings.database_url, settings.db) == 1  # workers and migrations (libpq)

    assert postgres_tls.handshakes - before == 2


async def test_postgres_tls_can_be_given_in_the_url_as_libpq_takes_it(
    services: EmbeddedServices, postgres_tls: TlsTerminator, certificates: Certificates
) -> None:
    url = _via(
        services.database_url,
        postgres_tls,
        sslmode="verify-full",
        sslrootcert=str(certificates.ca),
    )
    before = postgres_tls.handshakes

    assert await _async_select(Settings(database_url=url)) == 1
    assert _sync_select(url, DatabaseSettings()) == 1

    assert postgres_tls.handshakes - before == 2


async def test_postgres_verify_full_refuses_a_certificate_for_another_name(
    services: EmbeddedServices, postgres_tls: TlsTerminator, certificates: Certificates
) -> None:
    # The certificate names `localhost`; the client asked for 127.0.0.1.
    url = _via(services.database_url, postgres_tls, host="127.0.0.1")
    db = DatabaseSettings(sslmode="verify-full", sslrootcert=str(certificates.ca))

    with pytest.raises(Exception, match=r"(?i)hostname|match|certificate"):
        await _async_select(Settings(database_url=url, db=db))
    with pytest.raises(OperationalError, match=r"(?i)does not match|certificate"):
        _sync_select(url, db)

    # verify-ca checks the signature only, so the same server is accepted.
    assert (
        await _async_select(
            Settings(database_url=url, db=db.model_copy(update={"sslmode": "verify-ca"}))
        )
        == 1
    )


async def test_postgres_verify_full_refuses_an_unknown_ca(
    services: EmbeddedServices, postgres_tls: TlsTerminator, tmp_path: Path
) -> None:
    stranger = make_certificates(tmp_path / "other")
    settings = _database(
        services, postgres_tls, sslmode="verify-full", sslrootcert=str(stranger.ca)
    )

    with pytest.raises(Exception, match=r"(?i)certificate verify failed"):
        await _async_select(settings)
    # libpq finds the stranger's CA by its (same) name, then its signature fails.
    with pytest.raises(OperationalError, match=r"(?i)certificate verify failed|signature"):
        _sync_select(settings.database_url, settings.db)


async def test_postgres_require_refuses_a_server_without_tls(services: EmbeddedServices) -> None:
    settings = Settings(database_url=services.database_url, db=DatabaseSettings(sslmode="require"))

    with pytest.raises(Exception, match=r"(?i)ssl|tls"):
        await _async_select(settings)
    with pytest.raises(OperationalError, match=r"(?i)ssl"):
        _sync_select(settings.database_url, settings.db)


def _redis_settings(
    services: EmbeddedServices, terminator: TlsTerminator, ca: Path | None
) -> Settings:
    plain = make_url(services.redis_url.replace("redis://", "postgresql://", 1))
    url = f"rediss://:{plain.password}@localhost:{terminator.port}/0"
    return Settings(redis_url=url, redis=RedisSettings(tls_ca_file=str(ca) if ca else ""))


async def test_redis_over_tls_for_sessions_broker_and_results(
    services: EmbeddedServices, redis_tls: TlsTerminator, certificates: Certificates
) -> None:
    settings = _redis_settings(services, redis_tls, certificates.ca)
    before = redis_tls.handshakes

    client = create_redis(settings)
    try:
        assert await client.ping()
    finally:
        await client.aclose()

    celery = create_celery(settings)
    with celery.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1)
    assert celery.backend.client.ping()  # type: ignore[attr-defined]

    assert redis_tls.handshakes - before >= 3


async def test_redis_over_tls_refuses_an_unknown_ca(
    services: EmbeddedServices, redis_tls: TlsTerminator
) -> None:
    # No CA configured: the system's CAs do not know the throwaway one.
    client = create_redis(_redis_settings(services, redis_tls, None))
    try:
        with pytest.raises(RedisConnectionError, match=r"(?i)certificate verify failed"):
            await client.ping()
    finally:
        await client.aclose()
