"""`archivist up`: the whole stack on one machine, as supervised child processes.

Order: data dir checks → PostgreSQL → Redis → migrations → API, worker, beat → wait for /ready.
SIGINT/SIGTERM stop the roles first (they finish or hand back in-flight work), then Redis (which
saves) and PostgreSQL (fast shutdown: committed data is safe), all within ~15 s.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
from sqlalchemy.pool import NullPool

from archivist.core.config import DatabaseSettings, Settings
from archivist.core.console import say
from archivist.core.db import UnsafeDatabaseRole, create_sync_db_engine, ensure_isolating_role_sync
from archivist.core.migrate import upgrade
from archivist.core.private_files import private_dir
from archivist.core.security import jwt_secret
from archivist.embedded import ports
from archivist.embedded.services import EmbeddedServices
from archivist.embedded.stack_env import clear_stack_env, lock_stack, write_stack_env
from archivist.embedding.dimension import EmbedderRefused, check_embedding_dimension_sync

READY_TIMEOUT_SECONDS = 90
ROLE_STOP_SECONDS = 8
SERVICE_STOP_SECONDS = 5
MAX_RESTARTS = 5  # per role within RESTART_WINDOW_SECONDS, then the stack stops
RESTART_WINDOW_SECONDS = 60


class StartupError(Exception):
    """A problem the user must fix; printed as one line."""


@dataclass
class Role:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)


def check_data_dir(data_dir: Path) -> None:
    try:
        private_dir(data_dir)
        probe = data_dir / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise StartupError(
            f"data directory {data_dir} is not writable ({exc.strerror or exc}); "
            "set ARCHIVIST_DATA_DIR to a folder you can write"
        ) from exc


def lock_data_dir(data_dir: Path) -> IO[str]:
    handle = lock_stack(data_dir)
    if handle is None:
        raise StartupError(f"another `archivist up` is already running on {data_dir}")
    return handle


def check_database_role(url: str, db: DatabaseSettings) -> None:
    engine = create_sync_db_engine(url, db, poolclass=NullPool)
    try:
        ensure_isolating_role_sync(engine)
    except UnsafeDatabaseRole as exc:
        raise StartupError(str(exc)) from exc
    finally:
        engine.dispose()


def check_embedder(url: str, settings: Settings) -> None:
    """Refuse before any role starts, rather than have the API and the worker fail in turn."""
    engine = create_sync_db_engine(url, settings.db, poolclass=NullPool)
    try:
        check_embedding_dimension_sync(settings, engine)
    except EmbedderRefused as exc:
        raise StartupError(str(exc)) from exc
    finally:
        engine.dispose()


class Stack:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.data_dir = settings.data_dir.resolve()
        self.services = EmbeddedServices(self.data_dir, archive_wal=True)
        self.roles: list[Role] = []
        self.stopping = threading.Event()
        self.env: dict[str, str] = {}

    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: self.stopping.set())
        try:
            self.start()
            if not self.stopping.is_set():
                self.supervise()
            return 0
        except StartupError as exc:
            say(str(exc))
            return 1
        finally:
            self.shutdown()

    def start(self) -> None:
        settings = self.settings
        # Everything the stack writes -- database, objects, logs, secrets -- is its user's alone.
        os.umask(0o077)
        check_data_dir(self.data_dir)
        self._lock = lock_data_dir(self.data_dir)
        if not ports.is_free(settings.host, settings.port):
            raise StartupError(
                f"port {settings.port} on {settings.host} is already in use; "
                "stop what uses it or set ARCHIVIST_PORT"
            )
        database_url, migration_url = settings.database_url, settings.migration_database_url
        if not database_url:
            say("starting PostgreSQL (embedded)")
            self.services.start_postgres()
            database_url, migration_url = self.services.database_url, self.services.migration_url
        redis_url = settings.redis_url
        if not redis_url:
            say("starting Redis (embedded)")
            self.services.start_redis()
            redis_url = self.services.redis_url
        say("applying database migrations")
        upgrade(migration_url or database_url)
        check_database_role(database_url, settings.db)
        check_embedder(database_url, settings)
        private_dir(settings.storage_dir.resolve())
        jwt_secret(settings.model_copy(update={"data_dir": self.data_dir}))
        metrics_dir = self.data_dir / "run" / "metrics"
        shutil.rmtree(metrics_dir, ignore_errors=True)  # counters restart with the processes
        metrics_dir.mkdir(parents=True)
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "ARCHIVIST_DATA_DIR": str(self.data_dir),
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            # One machine, no load balancer to drain from; in-flight requests get what
            # they had before, within ROLE_STOP_SECONDS.
            "ARCHIVIST_SERVER__DRAIN_SECONDS": "0",
            "ARCHIVIST_SERVER__SHUTDOWN_TIMEOUT_SECONDS": "5",
        }
        write_stack_env(self.data_dir, {"DATABASE_URL": database_url, "REDIS_URL": redis_url})
        cli = [sys.executable, "-m", "archivist.cli"]
        self.roles = [
            Role("api", [*cli, "api"]),
            Role("worker", [*cli, "worker", "--queues", settings.worker.queues]),
            Role("beat", [*cli, "beat"]),
        ]
        for role in self.roles:
            self._spawn(role)
        self._wait_ready()

    def _spawn(self, role: Role) -> None:
        log = (self.services.logs / f"{role.name}.log").open("ab")
        role.process = subprocess.Popen(
            role.argv,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches only us; we stop children in order
        )

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.port}"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not self.stopping.is_set():
            self._restart_dead_roles()
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/ready", timeout=2).status_code == 200:
                    say(f"ready at {self.url}  (logs: {self.services.logs}; Ctrl-C stops)")
                    return
            if time.monotonic() > deadline:
                raise StartupError(
                    f"the API did not become ready within {READY_TIMEOUT_SECONDS} s; "
                    f"see {self.services.logs / 'api.log'}"
                )
            self.stopping.wait(0.2)

    def supervise(self) -> None:
        while not self.stopping.wait(0.5):
            self._restart_dead_roles()
            for name, process in self.services.processes.items():
                if process.poll() is not None:
                    raise StartupError(
                        f"{name} stopped unexpectedly (exit {process.returncode}); "
                        f"see {self.services.logs / (name + '.log')}"
                    )

    def _restart_dead_roles(self) -> None:
        now = time.monotonic()
        for role in self.roles:
            if role.process is None or role.process.poll() is None:
                continue
            role.restarts = [t for t in role.restarts if now - t < RESTART_WINDOW_SECONDS]
            if len(role.restarts) >= MAX_RESTARTS:
                raise StartupError(
                    f"{role.name} keeps exiting (code {role.process.returncode}); "
                    f"see {self.services.logs / (role.name + '.log')}"
                )
            say(f"{role.name} exited with code {role.process.returncode}; restarting it")
            role.restarts.append(now)
            self._spawn(role)

    def shutdown(self) -> None:
        running = [r.process for r in self.roles if r.process and r.process.poll() is None]
        if running or self.services.processes:
            say("stopping")
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + ROLE_STOP_SECONDS
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()  # unacknowledged tasks go back to the queue (acks_late)
                process.wait()
        for role in self.roles:
            if role.process is not None:
                # Whatever a role started (the one-time model build, a parser) goes with it:
                # each role leads its own process group.
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(role.process.pid, signal.SIGKILL)
        self.services.stop(timeout=SERVICE_STOP_SECONDS)
        with contextlib.suppress(OSError):
            clear_stack_env(self.data_dir)


def up(settings: Settings) -> int:
    return Stack(settings).run()
