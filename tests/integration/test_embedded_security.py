"""The embedded services trust nobody: any local account can reach 127.0.0.1 and /tmp, so
PostgreSQL and Redis want passwords, and the data directory is its owner's alone."""

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from sqlalchemy.engine import make_url

from archivist.embedded import postgres as embedded_postgres
from archivist.embedded.ports import free_port
from archivist.embedded.services import HOST, EmbeddedServices


def _pg(services: EmbeddedServices) -> tuple[Path, int]:
    return services.data_dir / "postgres", int(make_url(services.database_url).port or 0)


def test_postgres_socket_wants_a_password_even_from_the_superuser(
    services: EmbeddedServices,
) -> None:
    pgdata, port = _pg(services)
    socket_dir = embedded_postgres.socket_dir(pgdata)
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(host=str(socket_dir), port=port, user="postgres", dbname="postgres")
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(host=HOST, port=port, user="postgres", dbname="postgres")


def test_postgres_socket_directory_is_the_servers_alone(services: EmbeddedServices) -> None:
    pgdata, _ = _pg(services)
    info = embedded_postgres.socket_dir(pgdata).lstat()
    assert stat.S_ISDIR(info.st_mode)
    assert stat.S_IMODE(info.st_mode) == 0o700
    assert info.st_uid == pgdata.stat().st_uid  # the server's user


def test_socket_directory_planted_by_another_user_is_refused(tmp_path: Path) -> None:
    pgdata = tmp_path / "postgres"
    planted = embedded_postgres.socket_dir(pgdata)
    shutil.rmtree(planted)
    planted.symlink_to(tmp_path)  # as another account would, before the stack starts
    try:
        with pytest.raises(RuntimeError, match="belongs to another user"):
            embedded_postgres.socket_dir(pgdata)
    finally:
        planted.unlink()


def test_redis_refuses_clients_without_the_password(services: EmbeddedServices) -> None:
    url = make_url(services.redis_url)
    anonymous = redis.Redis(host=url.host, port=url.port, socket_connect_timeout=2)
    with pytest.raises(redis.AuthenticationError):
        anonymous.get("anything")
    assert redis.Redis.from_url(services.redis_url).ping()


def test_data_directory_and_secrets_are_private(services: EmbeddedServices) -> None:
    secrets_dir = services.data_dir / "secrets"
    assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
    for secret in secrets_dir.iterdir():
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600, secret
    for folder in ("logs", "redis", "postgres"):
        mode = stat.S_IMODE((services.data_dir / folder).stat().st_mode)
        assert mode & 0o077 == 0, f"{folder} is {oct(mode)}"
    # The server's user may pass through the data dir to its cluster, but list nothing.
    assert stat.S_IMODE(services.data_dir.stat().st_mode) & 0o066 == 0


@pytest.fixture
def legacy_cluster() -> Iterator[Path]:
    """A cluster as earlier versions made it: the unix socket trusted every local user."""
    folder = Path(tempfile.mkdtemp(prefix="archivist-legacy-"))
    pgdata = folder / "postgres"
    user = embedded_postgres._prepare(pgdata)
    subprocess.run(
        [
            str(embedded_postgres.BIN / "initdb"),
            "-D",
            str(pgdata),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        ],
        check=True,
        capture_output=True,
        **embedded_postgres._identity(user),
    )
    yield pgdata
    shutil.rmtree(folder, ignore_errors=True)


def test_cluster_of_an_earlier_version_stops_trusting_local_users(legacy_cluster: Path) -> None:
    port = free_port()
    log = legacy_cluster.parent / "postgres.log"
    process = embedded_postgres.start(legacy_cluster, HOST, port, log, "new superuser secret")
    try:
        socket_dir = str(embedded_postgres.socket_dir(legacy_cluster))
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(host=socket_dir, port=port, user="postgres", dbname="postgres")
        dsn = embedded_postgres.superuser_dsn(legacy_cluster, port, "new superuser secret")
        with psycopg.connect(dsn) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        process.terminate()
        process.wait(10)
    assert os.path.exists(log)
