"""The extraction sandbox, driven for real: probe code runs in the same jail as the parsers.

Run as root (as CI does), the child must be a separate user; without root, the uid and file
tests are skipped (the child is the server's own user then, which the sandbox warns about).
"""

import logging
import os
import pwd
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archivist.ingestion.extract import ExtractionError, ExtractionLimits, extract_file, sandbox
from archivist.ingestion.extract.jail import seccomp_program
from archivist.ingestion.extract.sandbox import SANDBOX_USER, run_child, sandbox_report
from tests.factories.files import make_pdf
from tests.unit import sandbox_probes

ROOT = Path(__file__).resolve().parents[2]
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="the separate sandbox user needs root")


@pytest.fixture(autouse=True)
def probes_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    # The child gets PYTHONPATH from the server's environment plus the package's own root.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))


def probe(name: str, *args: str, stdin: Any = None) -> dict[str, Any]:
    return run_child(f"tests.unit.sandbox_probes:{name}", list(args), ExtractionLimits(), stdin)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(10)
    yield server
    server.close()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """A file only the server user may read, like the data directory's secrets."""
    folder = tmp_path / "secrets"
    folder.mkdir(mode=0o700)
    folder.chmod(0o700)
    path = folder / "jwt_secret"
    path.write_text("hunter2")
    path.chmod(0o600)
    return path


def test_sandboxed_child_cannot_connect_to_a_server_on_localhost(
    listener: socket.socket, capsys: pytest.CaptureFixture[str]
) -> None:
    port = str(listener.getsockname()[1])
    # The probe itself works: unconfined, it connects.
    assert sandbox_probes.connect(["127.0.0.1", port]) == 0
    assert '"connected": true' in capsys.readouterr().out
    listener.accept()[0].close()

    result = probe("connect", "127.0.0.1", port)
    assert result["connected"] is False
    assert result["problem"]


def test_sandboxed_child_has_a_network_namespace_of_its_own() -> None:
    report = sandbox_report()
    assert report.own_network
    assert report.seccomp


@as_root
def test_sandboxed_child_runs_as_the_sandbox_user_without_groups() -> None:
    seen = run_child("archivist.ingestion.extract.jail:report", [], ExtractionLimits())
    user = pwd.getpwnam(SANDBOX_USER)
    assert seen["uid"] == user.pw_uid != os.getuid()
    assert seen["gid"] == user.pw_gid != os.getgid()
    assert seen["groups"] == []
    assert seen["no_new_privs"] is True
    assert sandbox_report().separate_user


@as_root
def test_sandboxed_child_cannot_read_a_file_only_the_server_user_can_read(
    secret_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sandbox_probes.read([str(secret_file)]) == 0
    assert "hunter2" in capsys.readouterr().out

    result = probe("read", str(secret_file))
    assert result["read"] is False
    assert "PermissionError" in result["problem"]


@as_root
def test_a_file_the_sandbox_user_cannot_open_is_still_extracted(secret_file: Path) -> None:
    path = make_pdf(secret_file.parent / "private.pdf", ["Only the server may open this"])
    path.chmod(0o600)
    assert extract_file(path, "pdf").text == "Only the server may open this"


def test_file_is_handed_over_on_stdin(tmp_path: Path) -> None:
    path = tmp_path / "input.txt"
    path.write_text("handed over")
    with path.open("rb") as source:
        assert probe("stdin", stdin=source) == {"data": "handed over"}


def test_sandboxed_child_cannot_start_programs() -> None:
    result = probe("run", sys.executable, "-c", "print('escaped')")
    assert result["ran"] is False


def test_a_partial_sandbox_is_reported_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # As if the worker were not root: no user to switch to.
    monkeypatch.setattr(sandbox, "_policy", dict)
    sandbox._probe.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger=sandbox.__name__):
            first, second = sandbox_report(), sandbox_report()
    finally:
        sandbox._probe.cache_clear()
    assert first is second
    assert not first.separate_user
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "runs as the server's own user" in warnings[0]


def test_seccomp_filter_is_built_for_known_machines_only() -> None:
    program = seccomp_program("x86_64")
    assert program is not None and len(program) % 8 == 0
    assert seccomp_program("aarch64") is not None
    assert seccomp_program("sparc64") is None


def test_crashing_child_becomes_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match=r"crashed while reading the file \(SIGSEGV\)"):
        probe("crash")


def test_child_exiting_without_a_result_becomes_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="failed unexpectedly"):
        probe("garbage")


def test_child_does_not_inherit_the_server_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVIST_DB__PASSWORD", "hunter2")
    assert "ARCHIVIST_DB__PASSWORD" not in probe("environment")["env"]
