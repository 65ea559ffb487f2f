"""deploy/postgres/init-archivist.sh (compose's first start; once by hand on managed PostgreSQL),
run with psql against a fresh PostgreSQL: after it, migrations run as the owner and the
application role is one that row-level security binds."""

import os
import secrets
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from archivist.core.config import DatabaseSettings
from archivist.core.db import create_sync_db_engine, ensure_isolating_role_sync
from archivist.core.migrate import upgrade
from archivist.embedded import ports
from archivist.embedded import postgres as embedded_postgres
from archivist.embedded.services import HOST

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "postgres" / "init-archivist.sh"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str]]:
    """A bare cluster: a superuser and nothing else, like a new managed instance."""
    folder = tmp_path_factory.mktemp("bare-postgres")
    password = secrets.token_hex(16)
    port = ports.free_port(HOST)
    embedded_postgres.init_cluster(folder / "pgdata", password)
    process = embedded_postgres.start(folder / "pgdata", HOST, port, folder / "pg.log", password)
    try:
        yield port, password
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(30)


def run_script(port: int, superuser_password: str, owner: str, app: str) -> None:
    env = {
        **os.environ,
        "PATH": f"{embedded_postgres.BIN}:{os.environ['PATH']}",
        "PGHOST": HOST,
        "PGPORT": str(port),
        "PGUSER": embedded_postgres.SUPERUSER,
        "PGPASSWORD": superuser_password,
        "ARCHIVIST_DB_OWNER_PASSWORD": owner,
        "ARCHIVIST_DB_APP_PASSWORD": app,
    }
    result = subprocess.run(
        ["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_script_prepares_a_database_the_application_can_use(server: tuple[int, str]) -> None:
    port, superuser = server
    owner, app = secrets.token_hex(16), "first-" + secrets.token_hex(8)
    run_script(port, superuser, owner, app)
    # Idempotent, and a second run sets the passwords it is given.
    app = "second-" + secrets.token_hex(8)
    run_script(port, superuser, owner, app)

    upgrade(embedded_postgres.url("archivist_owner", owner, HOST, port))
    engine = create_sync_db_engine(
        embedded_postgres.url("archivist_app", app, HOST, port), DatabaseSettings()
    )
    try:
        ensure_isolating_role_sync(engine)  # raises for a superuser, owner or BYPASSRLS role
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT extversion FROM pg_extension WHERE extname='vector'"))
            # Granted by the migrations, and bound by RLS: no tenant set, no rows.
            assert conn.scalar(text("SELECT count(*) FROM documents")) == 0
    finally:
        engine.dispose()


def test_script_refuses_to_run_without_passwords(server: tuple[int, str]) -> None:
    port, superuser = server
    with pytest.raises(AssertionError, match="ARCHIVIST_DB_APP_PASSWORD"):
        run_script(port, superuser, secrets.token_hex(8), "")
