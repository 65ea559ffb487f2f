"""Run the risky parsers in a child process and turn every way it can fail into one message."""

import json
import logging
import os
import signal
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import archivist
from archivist.ingestion.extract.base import (
    EXIT_MEMORY,
    Extracted,
    ExtractionError,
    ExtractionLimits,
    Page,
)

logger = logging.getLogger(__name__)

CHILD_MODULE = "archivist.ingestion.extract.child"
# The directory holding the `archivist` package, so the child imports the same code even when
# the project is run from a source tree rather than installed.
_PACKAGE_ROOT = str(Path(archivist.__file__).resolve().parent.parent)


def extract_in_child(path: Path, kind: str, limits: ExtractionLimits) -> Extracted:
    command = [
        sys.executable,
        "-m",
        CHILD_MODULE,
        os.fspath(path.absolute()),
        kind,
        json.dumps(asdict(limits)),
    ]
    result = run_child(command, limits)
    pages = [Page(number=page["number"], text=page["text"]) for page in result["pages"]]
    return Extracted(
        pages=pages, page_count=result["page_count"], truncated=bool(result["truncated"])
    )


def run_child(command: list[str], limits: ExtractionLimits) -> dict[str, Any]:
    """Run `command` (a child speaking the `child` module's protocol) and return its result.

    Raises ExtractionError for anything the file caused: a timeout, the memory or CPU limit,
    a crash, or an error the child reported. OSError (cannot start a process) is left to the
    caller, since it says nothing about the file and is worth retrying.
    """
    # A minimal environment: the parsers have no business seeing the server's secrets.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")])),
        "PYTHONIOENCODING": "utf-8",
        "LC_ALL": "C.UTF-8",
    }
    try:
        completed = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=limits.timeout_seconds,
            env=env,
            # `-m` puts the working directory first on sys.path; make it the package's own.
            cwd=_PACKAGE_ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(_too_slow(limits)) from exc

    code = completed.returncode
    stderr = completed.stderr.decode("utf-8", errors="replace").strip()
    if code != 0:
        message = _failure_message(code, stderr, limits)
        logger.warning("extraction child failed (%s): %s", message, stderr[-2000:])
        raise ExtractionError(message)
    try:
        result = json.loads(completed.stdout)
    except ValueError as exc:
        logger.warning("extraction child wrote no result: %s", stderr[-2000:])
        raise ExtractionError("The extractor failed unexpectedly while reading the file") from exc
    if not isinstance(result, dict):
        raise ExtractionError("The extractor failed unexpectedly while reading the file")
    if "error" in result:
        if stderr:
            logger.info("extraction failed: %s (%s)", result["error"], stderr[-2000:])
        raise ExtractionError(str(result["error"]))
    return result


def _failure_message(code: int, stderr: str, limits: ExtractionLimits) -> str:
    if code == EXIT_MEMORY or stderr.endswith("MemoryError"):
        return _too_big(limits)
    if code < 0:
        signum = -code
        if signum == signal.SIGXCPU:
            return _too_slow(limits)
        if signum == signal.SIGKILL:
            # The timeout's kill is handled above and the CPU limit ends the child with SIGXCPU
            # first, so this is almost surely the kernel's out-of-memory killer.
            return _too_big(limits)
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        return f"The extractor crashed while reading the file ({name})"
    return f"The extractor failed unexpectedly while reading the file (exit code {code})"


def _too_slow(limits: ExtractionLimits) -> str:
    return f"Extraction took longer than {limits.timeout_seconds:g} s"


def _too_big(limits: ExtractionLimits) -> str:
    return f"Extraction needed more than {limits.memory_mb} MB of memory"
