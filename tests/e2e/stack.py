"""Start, wait for and stop `archivist up` as a real process tree, for end-to-end tests."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

STOP_LIMIT_SECONDS = 15


def start_stack(
    data_dir: Path, port: int, log: Path | None = None, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """Output is piped (read it once the process ends), or written to `log` for long runs."""
    env = {
        **os.environ,
        "ARCHIVIST_DATA_DIR": str(data_dir),
        "ARCHIVIST_PORT": str(port),
        **(extra_env or {}),
    }
    for name in ("DATABASE_URL", "REDIS_URL", "ARCHIVIST_MIGRATION_DATABASE_URL"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "archivist.cli", "up"],
        env=env,
        stdout=log.open("w") if log else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def wait_ready(process: subprocess.Popen[str], port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"archivist up exited early ({process.returncode}):\n{output}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail("archivist up did not become ready")


def wait_indexed(base: str, headers: dict[str, str], document_id: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = httpx.get(f"{base}/api/documents/{document_id}", headers=headers).json()["status"]
        if status in ("indexed", "failed"):
            assert status == "indexed"
            return
        time.sleep(0.3)
    pytest.fail("the document was not indexed")


def stop(process: subprocess.Popen[str], sig: signal.Signals) -> float:
    tree = psutil.Process(process.pid).children(recursive=True)
    started = time.monotonic()
    process.send_signal(sig)
    process.wait(STOP_LIMIT_SECONDS + 5)
    elapsed = time.monotonic() - started
    _, alive = psutil.wait_procs(tree, timeout=1)
    assert not alive, f"children still running after stop: {[p.pid for p in alive]}"
    return elapsed
