"""The production topology on one machine, as separate processes: two `archivist api` replicas
behind a round-robin proxy, two docprocessing workers, one primary+kg worker, beat; PostgreSQL
(its own server, roles with passwords), Redis (with a password) and S3 (Swift) outside them all.

Every role gets only what an operator would give it: DATABASE_URL, REDIS_URL, ARCHIVIST_* settings.
"""

import itertools
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy.engine import make_url

from archivist.embedded import postgres as embedded_postgres
from archivist.embedded.ports import free_port
from archivist.embedded.services import EmbeddedServices
from tests.fake_llm import Behaviour, fake_llm_server
from tests.faults import TcpProxy, open_upstream
from tests.s3server import S3Server, s3_settings

ROLE_STOP_SECONDS = 40
LOGIN_FAILURES_PER_EMAIL = 4  # small, so the shared limit is reached in a few requests
DRAIN_SECONDS = 2.0


class RoundRobinProxy(TcpProxy):
    """Each new connection goes to the next replica; one that refuses is skipped (as a load
    balancer retries the next upstream), so a stopped replica loses no request."""

    def __init__(self, targets: list[str]) -> None:
        host, port = targets[0].split(":")
        super().__init__(host, port)
        self.targets = [(h, int(p)) for h, p in (t.split(":") for t in targets)]
        self.connections: Counter[str] = Counter()
        self._turn = itertools.count()

    def _connect_upstream(self) -> socket.socket | None:
        start = next(self._turn)
        for step in range(len(self.targets)):
            target = self.targets[(start + step) % len(self.targets)]
            upstream = open_upstream(target)
            if upstream is not None:
                self.connections[f"{target[0]}:{target[1]}"] += 1
                return upstream
        return None


@dataclass
class MigrateRun:
    returncode: int
    output: str


@dataclass
class Topology:
    services: EmbeddedServices
    env: dict[str, str]
    behaviour: Behaviour
    proxy: RoundRobinProxy | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    api: dict[str, str] = field(default_factory=dict)  # replica name -> base URL
    migrations: list[MigrateRun] = field(default_factory=list)

    @property
    def base(self) -> str:
        """The address users reach: the proxy in front of the replicas."""
        assert self.proxy is not None
        return f"http://{self.proxy.address}"

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "archivist.cli", *args]

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.services.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            self.argv(*args),
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def start_api(self, name: str) -> str:
        port = free_port()
        self.start(name, "api", "--host", "127.0.0.1", "--port", str(port))
        self.api[name] = f"http://127.0.0.1:{port}"
        return self.api[name]

    def wait_ready(self, name: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited at start: {self.log_tail(name)}")
            try:
                if httpx.get(f"{self.api[name]}/ready", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} not ready after {timeout} s: {self.log_tail(name)}")

    def signal(self, name: str, sig: signal.Signals) -> None:
        os.killpg(self.processes[name].pid, sig)

    def wait_exit(self, name: str, timeout: float = ROLE_STOP_SECONDS) -> int:
        """The role's exit code (negative: the signal that ended it)."""
        return self.processes[name].wait(timeout)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(ROLE_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def log_tail(self, name: str, chars: int = 3000) -> str:
        return (self.services.logs / f"{name}.log").read_text(errors="replace")[-chars:]

    def migrate_together(self, count: int = 2) -> None:
        """`archivist migrate` started `count` times at once, as replicas or hooks might."""
        runs = [
            subprocess.Popen(
                self.argv("migrate"), env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
            for _ in range(count)
        ]
        for run in runs:
            output, _ = run.communicate(timeout=120)
            self.migrations.append(MigrateRun(run.returncode, output.decode(errors="replace")))

    def query(self, statement: str, *params: object) -> list[tuple[Any, ...]]:
        """Read the database as its superuser: every row, whatever the row-level security."""
        data_dir = self.services.data_dir
        credentials = embedded_postgres.load_credentials(data_dir / "secrets")
        port = make_url(self.services.database_url).port
        assert port is not None
        dsn = embedded_postgres.superuser_dsn(
            data_dir / "postgres", port, credentials.superuser_password, embedded_postgres.DATABASE
        )
        with psycopg.connect(dsn) as conn:
            return conn.execute(statement, params).fetchall()


def role_env(services: EmbeddedServices, s3: S3Server, llm_url: str) -> dict[str, str]:
    bucket = s3_settings(s3, bucket=f"archivist-topology-{secrets.token_hex(4)}")
    return {
        **os.environ,
        "DATABASE_URL": services.database_url,
        "ARCHIVIST_MIGRATION_DATABASE_URL": services.migration_url,
        "REDIS_URL": services.redis_url,
        # Shared only for the embedding model's cache (built once); nothing else is kept there.
        "ARCHIVIST_DATA_DIR": str(services.data_dir),
        "ARCHIVIST_AUTH__JWT_SECRET": secrets.token_urlsafe(48),
        "ARCHIVIST_AUTH__LOGIN_FAILURES_PER_EMAIL": str(LOGIN_FAILURES_PER_EMAIL),
        "ARCHIVIST_S3__BUCKET": bucket.bucket,
        "ARCHIVIST_S3__ENDPOINT_URL": bucket.endpoint_url,
        "ARCHIVIST_S3__REGION": bucket.region,
        "ARCHIVIST_S3__ACCESS_KEY_ID": bucket.access_key_id,
        "ARCHIVIST_S3__SECRET_ACCESS_KEY": bucket.secret_access_key,
        "ARCHIVIST_S3__CREATE_BUCKET": "true",
        "ARCHIVIST_LLM__BASE_URL": llm_url,
        "ARCHIVIST_LLM__MODEL": "fake",
        "ARCHIVIST_LLM__RETRIES": "0",
        # ONNX Runtime in every role: one model build, and no torch in three worker processes on
        # a small test machine (the vectors are the same as the default's).
        "ARCHIVIST_EMBEDDING__PROVIDER": "onnx",
        "ARCHIVIST_WORKER__CONCURRENCY": "4",
        # A killed worker's documents are re-queued by beat's sweeper within seconds, not 15 min.
        "ARCHIVIST_INGESTION__STUCK_AFTER_SECONDS": "8",
        "ARCHIVIST_INGESTION__SWEEP_INTERVAL_SECONDS": "2",
        "ARCHIVIST_SERVER__DRAIN_SECONDS": str(DRAIN_SECONDS),
        "ARCHIVIST_SERVER__SHUTDOWN_TIMEOUT_SECONDS": "20",
    }


@contextmanager
def production_topology(s3: S3Server) -> Iterator[Topology]:
    data_dir = Path(tempfile.mkdtemp(prefix="archivist-topology-"))
    services = EmbeddedServices(data_dir)
    try:
        services.start_postgres()  # roles and database only: the schema comes from migrate
        services.start_redis()
        with fake_llm_server() as (llm_url, behaviour):
            stack = Topology(services, role_env(services, s3, llm_url), behaviour)
            try:
                stack.migrate_together()
                replicas = [stack.start_api("api-1"), stack.start_api("api-2")]
                stack.start("docprocessing-1", "worker", "--queues", "docprocessing")
                stack.start("docprocessing-2", "worker", "--queues", "docprocessing")
                stack.start("primary", "worker", "--queues", "primary,kg")
                stack.start("beat", "beat")
                for name in stack.api:
                    stack.wait_ready(name)
                stack.proxy = RoundRobinProxy([url.removeprefix("http://") for url in replicas])
                stack.proxy.up()
                yield stack
            finally:
                if stack.proxy is not None:
                    stack.proxy.down()
                stack.stop_all()
    finally:
        services.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
