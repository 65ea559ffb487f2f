"""Base backups of the embedded stack: PostgreSQL (`pg_basebackup`, verified with
`pg_verifybackup`) and the stored files, under `<data_dir>/backups/`.

    backups/wal/               continuous WAL archive (written by the server, `basic_archive`)
    backups/base/<label>/      a plain-format base backup, with its own WAL and `backup_manifest`
    backups/base/<label>.json  what `archivist backup --list` and `archivist restore` read
    backups/objects/<key>      every stored file as of the newest backup (hard links when the
                               store is on the same disk: objects are never rewritten in place)

A backup is complete only once its `.json` is written; a half-made one stays `.<label>.partial`
and is ignored.
"""

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from archivist.embedded import postgres as embedded_postgres

LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
Progress = Callable[[str], None]


class BackupError(Exception):
    """A problem the user must fix; printed as one line."""


@dataclass(frozen=True)
class Backup:
    label: str
    started_at: datetime
    finished_at: datetime  # at or after the moment the backup is consistent
    timeline: int
    start_lsn: str
    end_lsn: str
    size_bytes: int
    objects: int
    seconds: float

    def to_json(self) -> str:
        values = asdict(self)
        values["started_at"] = self.started_at.isoformat()
        values["finished_at"] = self.finished_at.isoformat()
        return json.dumps(values, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "Backup":
        values = json.loads(text)
        values["started_at"] = datetime.fromisoformat(values["started_at"])
        values["finished_at"] = datetime.fromisoformat(values["finished_at"])
        return cls(**values)


def backups_dir(data_dir: Path) -> Path:
    return data_dir / "backups"


def wal_archive_dir(data_dir: Path) -> Path:
    return backups_dir(data_dir) / "wal"


def base_dir(data_dir: Path) -> Path:
    return backups_dir(data_dir) / "base"


def objects_mirror_dir(data_dir: Path) -> Path:
    return backups_dir(data_dir) / "objects"


def backup_path(data_dir: Path, label: str) -> Path:
    return base_dir(data_dir) / label


def list_backups(data_dir: Path) -> list[Backup]:
    """Complete backups, oldest first."""
    folder = base_dir(data_dir)
    if not folder.is_dir():
        return []
    found = []
    for manifest in folder.glob("*.json"):
        if (folder / manifest.stem).is_dir():
            found.append(Backup.from_json(manifest.read_text()))
    return sorted(found, key=lambda b: b.finished_at)


def _binary(name: str) -> str:
    return str(embedded_postgres.BIN / name)


def verify(path: Path) -> None:
    """`pg_verifybackup`: every file matches the manifest's checksums and the WAL replays."""
    done = subprocess.run(
        [_binary("pg_verifybackup"), "--quiet", str(path)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BackupError(f"the backup in {path} failed verification: {done.stderr.strip()}")


def take_backup(
    data_dir: Path,
    port: int,
    superuser_password: str,
    storage_dir: Path | None,
    label: str | None = None,
    progress: Progress = lambda _: None,
) -> Backup:
    """A base backup of the running embedded PostgreSQL on `port`, verified, plus a copy of the
    local object store (`storage_dir`; None when the files live in S3)."""
    started = datetime.now(UTC)
    clock = time.monotonic()
    label = label or "backup-" + started.strftime("%Y%m%dT%H%M%SZ")
    if not LABEL.match(label):
        raise BackupError(
            f"label {label!r}: use letters, digits, '.', '_' and '-' (up to 64, not first)"
        )
    target = backup_path(data_dir, label)
    if target.exists() or target.with_suffix(".json").exists():
        raise BackupError(f"a backup labelled {label} already exists; choose another --label")
    pgdata = data_dir / "postgres"
    _check_archiving(pgdata, port, superuser_password, progress)
    base_dir(data_dir).mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = base_dir(data_dir) / f".{label}.partial"
    shutil.rmtree(partial, ignore_errors=True)  # a backup that died half-way
    progress(f"taking base backup {label}")
    done = subprocess.run(
        [
            _binary("pg_basebackup"),
            "--host",
            str(embedded_postgres.socket_dir(pgdata)),
            "--port",
            str(port),
            "--username",
            embedded_postgres.SUPERUSER,
            "--no-password",
            "--pgdata",
            str(partial),
            "--format=plain",
            "--wal-method=stream",
            "--checkpoint=fast",
            "--label",
            label,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PGPASSWORD": superuser_password},
    )
    if done.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupError(f"pg_basebackup failed: {done.stderr.strip()}")
    progress("verifying it with pg_verifybackup")
    verify(partial)  # a backup that fails stays `.<label>.partial`, for a look, never listed
    partial.rename(target)
    finished = datetime.now(UTC)
    timeline, start_lsn, end_lsn = _wal_range(target / "backup_manifest")
    objects = 0
    if storage_dir is not None:
        progress("copying stored files")
        objects = mirror_objects(storage_dir, objects_mirror_dir(data_dir))
    backup = Backup(
        label=label,
        started_at=started,
        finished_at=finished,
        timeline=timeline,
        start_lsn=start_lsn,
        end_lsn=end_lsn,
        size_bytes=_size(target),
        objects=objects,
        seconds=round(time.monotonic() - clock, 2),
    )
    manifest = target.with_suffix(".json")
    manifest.with_suffix(".tmp").write_text(backup.to_json())
    manifest.with_suffix(".tmp").replace(manifest)
    return backup


def _check_archiving(pgdata: Path, port: int, password: str, progress: Progress) -> None:
    """A base backup alone restores to its own moment; point-in-time needs the WAL archive."""
    dsn = embedded_postgres.superuser_dsn(pgdata, port, password)
    try:
        with psycopg.connect(dsn, connect_timeout=5, autocommit=True) as conn:
            row = conn.execute(
                "SELECT current_setting('archive_mode'), failed_count, last_failed_wal"
                " FROM pg_stat_archiver"
            ).fetchone()
    except psycopg.OperationalError as exc:
        raise BackupError(f"cannot reach the embedded PostgreSQL: {exc}".strip()) from exc
    assert row is not None
    mode, failed, last_failed = row
    if mode != "on":
        progress(
            "warning: WAL archiving is off, so this backup restores only to its own moment; "
            "restart `archivist up` to turn it on"
        )
    elif failed:
        progress(f"warning: WAL archiving has failed {failed} times (last: {last_failed})")


def _wal_range(manifest: Path) -> tuple[int, str, str]:
    ranges = json.loads(manifest.read_text())["WAL-Ranges"]
    return int(ranges[0]["Timeline"]), ranges[0]["Start-LSN"], ranges[-1]["End-LSN"]


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _stored_files(root: Path) -> Iterator[Path]:
    for path in root.rglob("*"):
        if path.is_file() and not path.name.endswith(".partial"):
            yield path


def mirror_objects(storage_dir: Path, mirror: Path) -> int:
    """Copy every stored file not yet in `mirror`; returns how many the mirror holds.

    Stored objects are immutable (a new upload gets a new key, and the store writes a file
    whole, then renames it into place), so a hard link is as good as a copy and costs nothing.
    """
    storage_dir = storage_dir.resolve()
    count = 0
    if not storage_dir.is_dir():
        return 0
    for source in _stored_files(storage_dir):
        target = mirror / source.relative_to(storage_dir)
        count += 1
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            os.link(source, target)
        except OSError:
            copy_whole(source, target)
    return count


def copy_whole(source: Path, target: Path) -> None:
    """Copy under a `.partial` name, then rename: `target` never exists half-written."""
    partial = target.with_name(target.name + ".partial")
    shutil.copy2(source, partial)
    partial.replace(target)


def _start_wal_file(backup: Path) -> str:
    """The first WAL segment a backup needs, from its `backup_label`."""
    for line in (backup / "backup_label").read_text().splitlines():
        if line.startswith("START WAL LOCATION:") and "(file " in line:
            return line.split("(file ", 1)[1].rstrip(")").strip()
    raise BackupError(f"{backup}/backup_label names no start WAL file")


def prune(data_dir: Path, keep: int, progress: Progress = lambda _: None) -> list[str]:
    """Remove all but the `keep` newest backups, and the archived WAL only they needed (the
    newest kept backups restore to any time since the oldest of them). Returns the labels
    removed. Stored files in the backups' copy are kept."""
    if keep < 1:
        raise BackupError("--prune must keep at least one backup")
    backups = list_backups(data_dir)
    removed, kept = backups[:-keep], backups[-keep:]
    for backup in removed:
        path = backup_path(data_dir, backup.label)
        path.with_suffix(".json").unlink()  # first: a half-removed backup is never listed
        shutil.rmtree(path)
        progress(f"removed backup {backup.label}")
    archive = wal_archive_dir(data_dir)
    if removed and kept and archive.is_dir():
        oldest = _start_wal_file(backup_path(data_dir, kept[0].label))
        done = subprocess.run(
            [_binary("pg_archivecleanup"), str(archive), oldest], capture_output=True, text=True
        )
        if done.returncode != 0:
            raise BackupError(f"pg_archivecleanup failed: {done.stderr.strip()}")
        progress(f"removed archived WAL before {oldest}")
    return [b.label for b in removed]
