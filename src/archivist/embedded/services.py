"""The embedded PostgreSQL and Redis that `archivist up` and the test suite run."""

import os
import secrets
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from archivist.core.private_files import private_dir, read_or_create
from archivist.embedded import ports
from archivist.embedded import postgres as embedded_postgres
from archivist.embedded import redis as embedded_redis
from archivist.embedded.backup import wal_archive_dir

HOST = "127.0.0.1"


@dataclass
class EmbeddedServices:
    data_dir: Path
    database_url: str = ""  # the application role
    migration_url: str = ""  # the owner role
    redis_url: str = ""
    # Continuous WAL archiving into <data_dir>/backups/wal, for point-in-time restore.
    archive_wal: bool = False
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    postgres_port: int = 0

    def start_postgres(self, port: int | None = None) -> None:
        pgdata = self.data_dir / "postgres"
        port = port or ports.free_port(HOST)
        credentials = embedded_postgres.load_credentials(self.data_dir / "secrets")
        embedded_postgres.init_cluster(pgdata, credentials.superuser_password)
        options = (
            embedded_postgres.archive_options(wal_archive_dir(self.data_dir))
            if self.archive_wal
            else []
        )
        self.processes["postgres"] = embedded_postgres.start(
            pgdata, HOST, port, self.logs / "postgres.log", credentials.superuser_password, options
        )
        self.postgres_port = port
        embedded_postgres.bootstrap(pgdata, port, credentials)
        self.database_url = embedded_postgres.url(
            embedded_postgres.APP_ROLE, credentials.app_password, HOST, port
        )
        self.migration_url = embedded_postgres.url(
            embedded_postgres.OWNER_ROLE, credentials.owner_password, HOST, port
        )

    def start_redis(self, port: int | None = None) -> None:
        port = port or ports.free_port(HOST)
        password = read_or_create(
            self.data_dir / "secrets" / "redis-password", lambda: secrets.token_urlsafe(24)
        )
        self.processes["redis"] = embedded_redis.start(
            self.data_dir / "redis", HOST, port, self.logs / "redis.log", password
        )
        self.redis_url = embedded_redis.url(HOST, port, password)

    @property
    def logs(self) -> Path:
        return private_dir(self.data_dir / "logs")

    def stop(self, timeout: float = 10.0, only: str | None = None) -> None:
        """Redis saves on SIGTERM; PostgreSQL's SIGINT is a fast shutdown that loses no commits.

        `only` stops one service (its URL stays valid: start it again on the same port)."""
        signals = {"postgres": signal.SIGINT, "redis": signal.SIGTERM}
        stopping = {n: p for n, p in self.processes.items() if only in (None, n)}
        for name, process in stopping.items():
            if process.poll() is None:
                os.kill(process.pid, signals.get(name, signal.SIGTERM))
        for name, process in stopping.items():
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            del self.processes[name]
