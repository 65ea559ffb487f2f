"""Files only their owner may read: secrets, credentials and the running stack's addresses.

They are created with mode 0600 from their first byte (never written, then chmod'ed), and
replaced atomically, so no reader ever sees a partial or world-readable copy.
"""

import os
import secrets
from collections.abc import Callable
from pathlib import Path

PRIVATE_DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """`path` as a directory only its owner can enter (created if missing, tightened if not)."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR_MODE)
    return path


def write_private(path: Path, text: str) -> None:
    private_dir(path.parent)
    tmp = _new_private_file(path, text)
    try:
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_or_create(path: Path, generate: Callable[[], str]) -> str:
    """The secret kept at `path`, generated on first use; when two processes race, both end up
    with the one that was linked into place first."""
    if not path.exists():
        private_dir(path.parent)
        tmp = _new_private_file(path, generate())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def _new_private_file(path: Path, text: str) -> Path:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp
