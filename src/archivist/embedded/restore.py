"""Point-in-time restore of the embedded stack (`archivist restore --to TIME|LABEL`).

With the stack stopped: copy the newest base backup made before the target into a new data
directory, replay the WAL archive (and the current data dir's not-yet-archived WAL) up to the
target, promote, bring back any stored file the restored database names but the object store
lacks (from the backups' copy), then swap the new data directory in. The current one is kept
beside it, renamed, never deleted.
"""

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from archivist.embedded import ports
from archivist.embedded import postgres as embedded_postgres
from archivist.embedded.backup import (
    Backup,
    BackupError,
    Progress,
    backup_path,
    copy_whole,
    list_backups,
    objects_mirror_dir,
    wal_archive_dir,
)
from archivist.embedded.services import HOST
from archivist.embedded.stack_env import lock_stack

# WAL segment and timeline history file names, the only files worth carrying over from pg_wal.
WAL_FILE = re.compile(r"^[0-9A-F]{24}(\.partial)?$|^[0-9A-F]{8}\.history$")
NOT_REACHED = "recovery ended before configured recovery target was reached"
REPLAY_TIMEOUT_SECONDS = 3600.0


class RestoreError(BackupError):
    pass


@dataclass(frozen=True)
class Target:
    """A moment (`time`) or a backup's own end (`label`)."""

    time: datetime | None = None
    label: str | None = None

    def describe(self) -> str:
        return f"backup {self.label}" if self.label else f"{self.time:%Y-%m-%d %H:%M:%S.%f} UTC"


@dataclass(frozen=True)
class Restored:
    backup: Backup
    target: Target
    kept_at: Path  # the data directory that was current before the restore
    objects_recovered: int
    objects_missing: list[str]
    seconds: float
    reached_end_of_wal: bool  # the target lay after the last change: everything was replayed


def parse_target(value: str, backups: list[Backup]) -> Target:
    """A backup label, or an ISO 8601 time (a time without a zone is this machine's local)."""
    if any(b.label == value for b in backups):
        return Target(label=value)
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        labels = ", ".join(b.label for b in backups) or "none"
        raise RestoreError(
            f"--to {value!r} is neither a backup label ({labels}) nor a time like "
            "2026-12-01T09:30:00+00:00"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local time, as the person typing it reads the clock
    return Target(time=moment.astimezone(UTC))


def lsn(text: str) -> int:
    high, low = text.split("/")
    return int(high, 16) << 32 | int(low, 16)


def current_history(archive: Path) -> tuple[int, dict[int, int]]:
    """The newest timeline (each restore starts one) and, for each timeline it descends from,
    the WAL position where the history branched off it."""
    timelines = [int(p.stem, 16) for p in archive.glob("*.history") if len(p.stem) == 8]
    if not timelines:
        return 1, {}
    newest = max(timelines)
    branched: dict[int, int] = {}
    for line in (archive / f"{newest:08X}.history").read_text().splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0].isdigit():
            branched[int(fields[0])] = lsn(fields[1])
    return newest, branched


def on_current_history(backup: Backup, archive: Path) -> bool:
    """Whether replaying from `backup` along the newest timeline is possible: a backup made on
    a history an earlier restore abandoned, after the branch point, is not."""
    newest, branched = current_history(archive)
    if backup.timeline == newest:
        return True
    return backup.timeline in branched and lsn(backup.end_lsn) <= branched[backup.timeline]


def choose_backup(backups: list[Backup], target: Target, archive: Path) -> Backup:
    if not backups:
        raise RestoreError("no backups yet: take one with `archivist backup`")
    if target.label:
        return next(b for b in backups if b.label == target.label)
    assert target.time is not None
    if target.time < backups[0].finished_at:
        oldest = backups[0]
        raise RestoreError(
            f"{target.describe()} is before the oldest backup ({oldest.label}, finished "
            f"{oldest.finished_at:%Y-%m-%d %H:%M:%S} UTC); the earliest time it can restore to "
            "is then"
        )
    before = [b for b in backups if b.finished_at <= target.time]
    usable = [b for b in before if on_current_history(b, archive)]
    if not usable:
        raise RestoreError(
            f"every backup before {target.describe()} belongs to a history that an earlier "
            "restore left behind; restore to one of them by label instead"
        )
    return usable[-1]


@contextlib.contextmanager
def stack_stopped(data_dir: Path) -> Iterator[None]:
    """Hold the lock `archivist up` takes, so the stack can neither run now nor start meanwhile;
    and refuse when a PostgreSQL still runs on the data directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = lock_stack(data_dir)
    if handle is None:
        raise RestoreError(f"the stack on {data_dir} is running; stop `archivist up` first")
    with handle:
        if embedded_postgres.running(data_dir / "postgres"):
            raise RestoreError(f"PostgreSQL is running on {data_dir / 'postgres'}; stop it first")
        yield


def restore_command(archive: Path) -> str:
    """`restore_command` runs through the shell: the folder is quoted for it, and `%` doubled
    so that PostgreSQL substitutes only its own `%f` and `%p`."""
    folder = shlex.quote(str(archive)).replace("%", "%%")
    return f"cp {folder}/%f %p"


def restore(
    data_dir: Path,
    to: str,
    storage_dir: Path | None,
    progress: Progress = lambda _: None,
    orphan_retention: timedelta = timedelta(days=30),
) -> Restored:
    """Restore the embedded stack's database (and the stored files it names) to `to`.

    Stored files that no restored row names (uploaded after the target) are scheduled for purge
    after `orphan_retention`, as if their documents had been deleted at the restore.
    """
    data_dir = data_dir.resolve()
    clock = time.monotonic()
    with stack_stopped(data_dir):
        backups = list_backups(data_dir)
        target = parse_target(to, backups)
        backup = choose_backup(backups, target, wal_archive_dir(data_dir))
        progress(f"restoring to {target.describe()} from backup {backup.label}")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        pgdata = data_dir / "postgres"
        staged = data_dir / f"postgres.restoring-{stamp}"
        kept = data_dir / f"postgres.before-restore-{stamp}"
        credentials = embedded_postgres.load_credentials(data_dir / "secrets")
        reached_end = False
        try:
            _stage(data_dir, backup, staged, pgdata if target.time else None, progress)
            orphans = _Orphans(storage_dir, orphan_retention)
            try:
                keys = _replay(
                    data_dir, staged, target, credentials.superuser_password, progress, orphans
                )
            except _TargetNotReached:
                # Every change in the WAL is older than the target: the state at the target
                # is the state at the end of the WAL. Replay it all, from a fresh copy.
                progress("the target is after the last recorded change; replaying all the WAL")
                reached_end = True
                shutil.rmtree(staged)
                _stage(data_dir, backup, staged, pgdata, progress)
                keys = _replay(
                    data_dir, staged, Target(), credentials.superuser_password, progress, orphans
                )
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)  # our own half-restored copy
            progress(f"restore failed; the current data is untouched in {pgdata}")
            raise
        recovered, missing = 0, list[str]()
        if storage_dir is not None:
            recovered, missing = restore_objects(
                keys, storage_dir, objects_mirror_dir(data_dir), progress
            )
        if pgdata.exists():
            pgdata.rename(kept)
        staged.rename(pgdata)
    return Restored(
        backup=backup,
        target=target,
        kept_at=kept,
        objects_recovered=recovered,
        objects_missing=missing,
        seconds=round(time.monotonic() - clock, 2),
        reached_end_of_wal=reached_end,
    )


def _stage(
    data_dir: Path, backup: Backup, staged: Path, current: Path | None, progress: Progress
) -> None:
    progress(f"copying base backup {backup.label}")
    shutil.copytree(backup_path(data_dir, backup.label), staged, symlinks=True)
    (staged / "backup_manifest").unlink(missing_ok=True)  # describes the backup, not this copy
    if current is not None and (current / "pg_wal").is_dir():
        # WAL the current cluster wrote but had not archived yet (its last, partial segment).
        for source in (current / "pg_wal").iterdir():
            target = staged / "pg_wal" / source.name
            if WAL_FILE.match(source.name) and source.is_file() and not target.exists():
                shutil.copy2(source, target)
    (staged / "recovery.signal").touch()


class _TargetNotReached(Exception):
    pass


@dataclass(frozen=True)
class _Orphans:
    """Stored files of the local store that the restored database does not name."""

    storage_dir: Path | None
    retention: timedelta

    def schedule(self, conn: psycopg.Connection[Any], named: set[str], progress: Progress) -> None:
        if self.storage_dir is None or not self.storage_dir.is_dir():
            return
        store = self.storage_dir.resolve()
        purging = {str(row[0]) for row in conn.execute("SELECT storage_key FROM file_purges")}
        purge_after = datetime.now(UTC) + self.retention
        orphans = 0
        for path in store.glob("orgs/*/files/*/*"):
            key = path.relative_to(store).as_posix()
            if not path.is_file() or key in named or key in purging:
                continue
            try:
                org_id = uuid.UUID(key.split("/")[1])
            except ValueError:
                continue  # not an object Archivist stored
            conn.execute(
                "INSERT INTO file_purges (id, organization_id, storage_key, purge_after)"
                " VALUES (%s, %s, %s, %s)",
                (uuid.uuid4(), org_id, key, purge_after),
            )
            orphans += 1
        if orphans:
            progress(f"{orphans} stored files uploaded after the target will be purged later")


def _replay(
    data_dir: Path,
    staged: Path,
    target: Target,
    password: str,
    progress: Progress,
    orphans: _Orphans,
) -> list[str]:
    """Start PostgreSQL on `staged` in recovery, wait for it to promote, and return the storage
    keys of every file row it holds (scheduling the purge of stored files it does not name);
    stop it cleanly."""
    archive = wal_archive_dir(data_dir)
    options = [
        *embedded_postgres.archive_options(archive),
        "-c",
        f"restore_command={restore_command(archive)}",
        "-c",
        "recovery_target_action=promote",
    ]
    if target.label:
        # The backup's own moment, on its own timeline (even one a later restore left behind).
        options += ["-c", "recovery_target=immediate", "-c", "recovery_target_timeline=current"]
    else:
        # Along the newest history: after an earlier restore, that of the restored cluster.
        options += ["-c", "recovery_target_timeline=latest"]
    if target.time:
        options += ["-c", f"recovery_target_time={target.time:%Y-%m-%d %H:%M:%S.%f}+00"]
    log = data_dir / "logs" / f"restore-{staged.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    port = ports.free_port(HOST)
    progress(f"replaying WAL (log: {log})")
    start = log.stat().st_size if log.exists() else 0
    try:
        process = embedded_postgres.start(
            staged, HOST, port, log, password, options, ready_timeout=REPLAY_TIMEOUT_SECONDS
        )
    except RuntimeError as exc:
        if NOT_REACHED in _tail(log, start):
            raise _TargetNotReached() from exc
        raise RestoreError(f"PostgreSQL could not replay the WAL; see {log}") from exc
    try:
        dsn = embedded_postgres.superuser_dsn(staged, port, password)
        deadline = time.monotonic() + REPLAY_TIMEOUT_SECONDS
        while True:
            if process.poll() is not None:
                if NOT_REACHED in _tail(log, start):
                    raise _TargetNotReached()
                raise RestoreError(f"PostgreSQL stopped while replaying the WAL; see {log}")
            with (
                contextlib.suppress(psycopg.OperationalError),
                psycopg.connect(dsn, connect_timeout=2, autocommit=True) as conn,
            ):
                row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
                if row is not None and not row[0]:
                    conn.execute("CHECKPOINT")
                    break
            if time.monotonic() > deadline:
                raise RestoreError(f"the WAL replay did not finish in time; see {log}")
            time.sleep(0.2)
        database_dsn = embedded_postgres.superuser_dsn(
            staged, port, password, embedded_postgres.DATABASE
        )
        with psycopg.connect(database_dsn, autocommit=True) as conn:
            keys = [str(row[0]) for row in conn.execute("SELECT storage_key FROM files")]
            orphans.schedule(conn, set(keys), progress)
        progress(f"replayed; the restored database holds {len(keys)} files")
        return keys
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGINT)  # fast shutdown: a clean checkpoint
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _tail(log: Path, start: int) -> str:
    with contextlib.suppress(OSError), log.open("rb") as handle:
        handle.seek(start)
        return handle.read().decode(errors="replace")
    return ""


def restore_objects(
    keys: list[str], storage_dir: Path, mirror: Path, progress: Progress
) -> tuple[int, list[str]]:
    """Bring back, from the backups' copy, each stored file the restored database names but the
    store lacks (purged after its retention window, say). Returns (recovered, still missing)."""
    store = storage_dir.resolve()
    recovered, missing = 0, []
    for key in keys:
        target = (store / key).resolve()
        source = (mirror / key).resolve()
        if not target.is_relative_to(store) or not source.is_relative_to(mirror.resolve()):
            missing.append(key)  # never follow a key out of its folder
            continue
        if target.is_file():
            continue
        if not source.is_file():
            missing.append(key)
            continue
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        copy_whole(source, target)
        recovered += 1
    if recovered:
        progress(f"brought back {recovered} stored files from the backups")
    if missing:
        progress(f"warning: {len(missing)} stored files are in neither the store nor the backups")
    return recovered, missing
