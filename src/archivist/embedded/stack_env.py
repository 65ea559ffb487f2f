"""Where a running `archivist up` tells other commands (e.g. `archivist ingest`) how to reach it.

The embedded services listen on ports chosen at start; the file lives in the data dir, readable by
its owner only, and is removed when the stack stops.
"""

import fcntl
import json
from pathlib import Path
from typing import IO

from archivist.core.private_files import write_private


def _path(data_dir: Path) -> Path:
    return data_dir / "run" / "stack.json"


def write_stack_env(data_dir: Path, values: dict[str, str]) -> None:
    write_private(_path(data_dir), json.dumps(values))


def read_stack_env(data_dir: Path) -> dict[str, str]:
    try:
        values = json.loads(_path(data_dir).read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return {str(k): str(v) for k, v in values.items()}


def clear_stack_env(data_dir: Path) -> None:
    _path(data_dir).unlink(missing_ok=True)


def lock_stack(data_dir: Path) -> IO[str] | None:
    """Take the lock a running `archivist up` holds on its data dir (held while the returned
    file stays open); None when another process holds it."""
    handle = (data_dir / ".archivist-up.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle
