"""Choosing what to restore, and the one shell command a restore hands PostgreSQL."""

import shlex
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archivist.embedded.backup import Backup
from archivist.embedded.restore import (
    RestoreError,
    choose_backup,
    on_current_history,
    parse_target,
    restore_command,
)

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def backup(label: str, finished: datetime, timeline: int = 1, end_lsn: str = "0/3000100") -> Backup:
    return Backup(label, finished, finished, timeline, "0/3000028", end_lsn, 0, 0, 1.0)


def test_a_label_wins_over_a_time_and_a_time_without_zone_is_local() -> None:
    backups = [backup("nightly", NOON)]
    assert parse_target("nightly", backups).label == "nightly"
    assert parse_target("2026-12-01T13:00:00Z", backups).time == NOON + timedelta(hours=1)
    local = datetime(2026, 12, 1, 13, 0).astimezone()
    assert parse_target("2026-12-01T13:00:00", backups).time == local.astimezone(UTC)
    with pytest.raises(RestoreError, match="neither a backup label \\(nightly\\)"):
        parse_target("yesterday", backups)


def test_the_newest_backup_before_the_target_is_chosen(tmp_path: Path) -> None:
    backups = [backup("a", NOON), backup("b", NOON + timedelta(hours=2))]
    target = parse_target((NOON + timedelta(hours=1)).isoformat(), backups)
    assert choose_backup(backups, target, tmp_path).label == "a"
    later = parse_target((NOON + timedelta(hours=3)).isoformat(), backups)
    assert choose_backup(backups, later, tmp_path).label == "b"


def test_a_target_before_the_oldest_backup_or_without_backups_is_refused(tmp_path: Path) -> None:
    early = parse_target((NOON - timedelta(minutes=1)).isoformat(), [])
    with pytest.raises(RestoreError, match="no backups yet"):
        choose_backup([], early, tmp_path)
    with pytest.raises(RestoreError, match="before the oldest backup \\(a, finished"):
        choose_backup([backup("a", NOON)], early, tmp_path)


def test_a_backup_after_the_branch_point_of_an_earlier_restore_is_off_the_history(
    tmp_path: Path,
) -> None:
    # Timeline 2 branched off timeline 1 at 0/5000000 (a restore to a point before it).
    (tmp_path / "00000002.history").write_text("1\t0/5000000\tbefore 2026-12-01 12:30\n")
    before = backup("before", NOON, end_lsn="0/4000100")
    after = backup("after", NOON + timedelta(hours=1), end_lsn="0/6000100")
    assert on_current_history(before, tmp_path)
    assert not on_current_history(after, tmp_path)
    assert on_current_history(backup("new", NOON, timeline=2), tmp_path)
    target = parse_target((NOON + timedelta(hours=2)).isoformat(), [])
    assert choose_backup([before, after], target, tmp_path).label == "before"
    with pytest.raises(RestoreError, match="restore to one of them by label"):
        choose_backup([after], target, tmp_path)


def test_restore_command_quotes_the_archive_for_the_shell(tmp_path: Path) -> None:
    archive = tmp_path / "it's a 100% $(touch pwned) archive"
    archive.mkdir()
    (archive / "000000010000000000000001").write_text("segment")
    command = restore_command(archive)
    # PostgreSQL substitutes %f and %p and turns %% into %; then the shell runs it.
    ran = command.replace("%f", "000000010000000000000001").replace("%p", "out")
    ran = ran.replace("%%", "%")
    subprocess.run(["sh", "-c", ran], cwd=tmp_path, check=True)
    assert (tmp_path / "out").read_text() == "segment"
    assert not (tmp_path / "pwned").exists()
    assert shlex.split(ran)[1].startswith(str(archive))
