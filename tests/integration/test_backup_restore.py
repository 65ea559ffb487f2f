"""`archivist backup` and `archivist restore --to TIME|LABEL` on an embedded stack: a real
PostgreSQL archiving its WAL, a real worker, the local object store, the real CLI."""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select

from archivist.core.config import AuthSettings, LLMSettings, Settings
from archivist.core.db import set_tenant
from archivist.core.migrate import upgrade
from archivist.core.state import AppState
from archivist.embedded import postgres as embedded_postgres
from archivist.embedded.backup import BackupError, backup_path, verify
from archivist.embedded.services import EmbeddedServices
from archivist.embedded.stack_env import clear_stack_env, write_stack_env
from archivist.files.service import file_service
from archivist.models import Chunk
from archivist.worker.context import WorkerContext
from tests.conftest import start_worker, stop_worker
from tests.factories.accounts import Account, register_org
from tests.factories.documents import upload_indexed
from tests.support import open_client

ALPHA = b"Aardvark ledger: the archive of 1987 holds nine crates of burrow maps."
BETA = b"Bison census: four hundred and twelve animals counted in the north pasture."


@dataclass
class Stack:
    services: EmbeddedServices
    settings: Settings
    port: int

    @property
    def data_dir(self) -> Path:
        return self.services.data_dir

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The real `archivist` command on this data dir, as an operator would run it."""
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env["ARCHIVIST_DATA_DIR"] = str(self.data_dir)
        return subprocess.run(
            [sys.executable, "-m", "archivist.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def superuser(self, dbname: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        password = embedded_postgres.load_credentials(self.data_dir / "secrets")
        return psycopg.connect(
            embedded_postgres.superuser_dsn(
                self.data_dir / "postgres", self.port, password.superuser_password, dbname
            ),
            autocommit=True,
        )


@pytest.fixture
def stack() -> Iterator[Stack]:
    data_dir = Path(tempfile.mkdtemp(prefix="archivist-backup-"))
    services = EmbeddedServices(data_dir, archive_wal=True)
    try:
        services.start_postgres()
        services.start_redis()
        upgrade(services.migration_url)
        settings = Settings(
            data_dir=data_dir,
            database_url=services.database_url,
            migration_database_url=services.migration_url,
            redis_url=services.redis_url,
            auth=AuthSettings(jwt_secret="backup-secret-" + "x" * 40),
            llm=LLMSettings(provider="extractive"),
        )
        # What `archivist up` leaves for other commands: how to reach the running stack.
        write_stack_env(data_dir, {"DATABASE_URL": services.database_url})
        yield Stack(services, settings, services.postgres_port)
    finally:
        services.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


async def _upload(
    settings: Settings, account: Account | None, name: str, body: bytes
) -> tuple[Account, dict[str, Any]]:
    state = AppState.create(settings)
    try:
        async with open_client(state) as client:
            account = account or await register_org(client, "Restore Co")
            return account, await upload_indexed(client, account, name, body)
    finally:
        await state.close()


async def test_point_in_time_restore_brings_back_a_deleted_document_whole(stack: Stack) -> None:
    worker = start_worker(stack.services)
    try:
        owner, alpha = await _upload(stack.settings, None, "alpha.txt", ALPHA)

        done = stack.cli("backup", "--label", "before-cleanup")
        assert done.returncode == 0, done.stdout + done.stderr
        listed = stack.cli("backup", "--list")
        assert listed.stdout.startswith("before-cleanup "), listed.stdout
        manifest = json.loads(
            (backup_path(stack.data_dir, "before-cleanup").with_suffix(".json")).read_text()
        )
        verified = await asyncio.to_thread(
            subprocess.run,
            [
                str(embedded_postgres.BIN / "pg_verifybackup"),
                str(backup_path(stack.data_dir, "before-cleanup")),
            ],
            capture_output=True,
            text=True,
        )
        assert verified.returncode == 0, verified.stderr

        await asyncio.sleep(0.5)
        target = datetime.now(UTC)
        await asyncio.sleep(0.5)

        state = AppState.create(stack.settings)
        try:
            async with open_client(state) as client:
                gone = await client.delete(f"/api/documents/{alpha['id']}", headers=owner.headers)
                assert gone.status_code == 204
                beta = await upload_indexed(client, owner, "beta.txt", BETA)
        finally:
            await state.close()
        # Past the retention window, the purge removes alpha's stored file: the restore must
        # bring it back from the backup's copy of the store.
        later = datetime.now(UTC) + timedelta(days=365)
        assert file_service.purge_expired(WorkerContext(stack.settings), later) == 1
        assert not list((stack.settings.storage_dir / "orgs").rglob("alpha.txt"))
        with stack.superuser() as conn:
            conn.execute("SELECT pg_switch_wal()")
    finally:
        stop_worker(worker)

    refused = stack.cli("restore", "--to", target.isoformat())
    assert refused.returncode == 1 and "is running" in refused.stderr, refused.stderr

    stack.services.stop(only="postgres")
    clear_stack_env(stack.data_dir)
    too_early = stack.cli("restore", "--to", (target - timedelta(hours=1)).isoformat())
    assert too_early.returncode == 1
    assert "before the oldest backup (before-cleanup" in too_early.stderr, too_early.stderr

    restored = stack.cli("restore", "--to", target.isoformat())
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "brought back 1 stored files" in restored.stdout, restored.stdout
    kept = [p for p in stack.data_dir.iterdir() if p.name.startswith("postgres.before-restore-")]
    assert len(kept) == 1 and (kept[0] / "PG_VERSION").exists()
    assert str(kept[0]) in restored.stdout

    stack.services.start_postgres(port=stack.port)
    state = AppState.create(stack.settings)
    try:
        async with open_client(state) as client:
            document = await client.get(f"/api/documents/{alpha['id']}", headers=owner.headers)
            assert document.status_code == 200, document.text
            assert document.json()["status"] == "indexed"
            download = await client.get(
                f"/api/files/{alpha['file_id']}/download", headers=owner.headers
            )
            assert download.status_code == 200
            assert download.content == ALPHA
            missing = await client.get(f"/api/documents/{beta['id']}", headers=owner.headers)
            assert missing.status_code == 404
        async with state.sessionmaker() as session, session.begin():
            await set_tenant(session, uuid.UUID(owner.id), uuid.UUID(owner.org_id))
            chunks = await session.scalar(
                select(func.count()).where(Chunk.document_id == uuid.UUID(alpha["id"]))
            )
            assert chunks and chunks == alpha["chunk_count"]
    finally:
        await state.close()
    with stack.superuser("archivist") as conn:
        # Alpha's deletion (and the purge it scheduled) happened after the target: undone. Beta's
        # stored file, which no restored row names, is purged after the retention window.
        purges = conn.execute("SELECT storage_key, purge_after FROM file_purges").fetchall()
        assert [key.rsplit("/", 1)[-1] for key, _ in purges] == ["beta.txt"]
        assert purges[0][1] > datetime.now(UTC) + timedelta(days=29)
    print(
        f"\nbackup {manifest['seconds']:.1f} s ({manifest['size_bytes'] / 2**20:.1f} MiB); "
        f"restore: {restored.stdout.strip().splitlines()[-2]}"
    )


def _marks(stack: Stack) -> set[int]:
    with stack.superuser("archivist") as conn:
        return {int(row[0]) for row in conn.execute("SELECT n FROM backup_marks")}  # type: ignore[call-overload]


def _mark(stack: Stack, n: int) -> None:
    with stack.superuser("archivist") as conn:
        conn.execute("INSERT INTO backup_marks VALUES (%s)", (n,))


def _restore(stack: Stack, to: str) -> str:
    done = stack.cli("restore", "--to", to)
    assert done.returncode == 0, done.stdout + done.stderr
    stack.services.start_postgres(port=stack.port)
    return done.stdout


def test_restores_follow_the_newest_history_and_prune_keeps_what_they_need(stack: Stack) -> None:
    with stack.superuser("archivist") as conn:
        conn.execute("CREATE TABLE backup_marks (n int)")
    _mark(stack, 1)
    assert stack.cli("backup", "--label", "first").returncode == 0
    _mark(stack, 2)
    assert stack.cli("backup", "--label", "second").returncode == 0
    _mark(stack, 3)
    stack.services.stop(only="postgres")
    clear_stack_env(stack.data_dir)

    _restore(stack, "first")
    assert _marks(stack) == {1}
    _mark(stack, 5)  # on the restored cluster's new history
    stack.services.stop(only="postgres")

    # `second` was taken on the history the first restore left behind: the newest history
    # goes through `first`, then mark 5; nothing is later than tomorrow, so all of it.
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    out = _restore(stack, tomorrow)
    assert "from backup first" in out and "after the last recorded change" in out, out
    assert _marks(stack) == {1, 5}
    stack.services.stop(only="postgres")

    _restore(stack, "second")  # a label reaches its own history, even a left-behind one
    assert _marks(stack) == {1, 2}
    stack.services.stop(only="postgres")
    _restore(stack, "second")  # the same label twice: the archive keeps both new histories
    assert _marks(stack) == {1, 2}
    with stack.superuser() as conn:
        conn.execute("SELECT pg_switch_wal()")
        time.sleep(2)
        failed = conn.execute("SELECT failed_count, last_failed_wal FROM pg_stat_archiver")
        assert failed.fetchone() == (0, None)
    stack.services.stop(only="postgres")
    assert len(list(stack.data_dir.glob("postgres.before-restore-*"))) == 4

    pruned = stack.cli("backup", "--prune", "1")
    assert pruned.returncode == 0, pruned.stderr
    assert [line.split()[0] for line in stack.cli("backup", "--list").stdout.splitlines()] == [
        "second"
    ]
    _restore(stack, "second")
    assert _marks(stack) == {1, 2}
    stack.services.stop(only="postgres")

    # With the stack stopped, `archivist backup` runs PostgreSQL just for the backup.
    cold = stack.cli("backup", "--label", "cold")
    assert cold.returncode == 0, cold.stdout + cold.stderr
    assert "starting PostgreSQL (embedded) for the backup" in cold.stdout
    assert not (stack.data_dir / "postgres" / "postmaster.pid").exists(), "left running"
    assert [line.split()[0] for line in stack.cli("backup", "--list").stdout.splitlines()] == [
        "second",
        "cold",
    ]

    # The verification that every backup passes is real: a changed byte fails it.
    version = backup_path(stack.data_dir, "cold") / "PG_VERSION"
    version.write_text(version.read_text().replace("1", "9"))
    with pytest.raises(BackupError, match="failed verification"):
        verify(backup_path(stack.data_dir, "cold"))


def test_backup_after_a_stack_died_without_cleanup_starts_its_own_postgres(stack: Stack) -> None:
    # `archivist up` killed outright (SIGKILL, power loss) leaves its stack.json behind, naming
    # a port nothing listens on any more.
    stack.services.stop(only="postgres")

    done = stack.cli("backup", "--label", "after-crash")

    assert done.returncode == 0, done.stderr
    assert "starting PostgreSQL (embedded) for the backup" in done.stdout
    verify(backup_path(stack.data_dir, "after-crash"))
