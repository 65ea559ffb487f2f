"""A throwaway `archivist up` for benchmarks: fresh data dir, free port, stopped at the end."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from archivist.embedded.ports import free_port


@contextmanager
def running_stack(**env: str) -> Iterator[str]:
    """Yields the base URL of a ready stack; its data dir is deleted afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="archivist-bench-"))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "archivist.cli", "up"],
        env={**os.environ, "ARCHIVIST_DATA_DIR": str(data_dir), "ARCHIVIST_PORT": str(port), **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the stack did not start; see {data_dir}/logs")
            time.sleep(0.3)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(data_dir, ignore_errors=True)


def register(base: str, email: str = "bench@example.com") -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/auth/register",
        json={"email": email, "password": "benchmark password", "organization_name": "Bench"},
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
