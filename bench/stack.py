"""A throwaway `archivist up` for benchmarks: fresh data dir, free port, stopped at the end."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

from archivist.embedded.ports import free_port


@dataclass
class Stack:
    base: str
    process: subprocess.Popen[bytes]
    data_dir: Path

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by each kind of process of the stack (api, worker, postgres…)."""
        totals: dict[str, float] = defaultdict(float)
        root = psutil.Process(self.process.pid)
        for proc in [root, *root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
                cmdline = " ".join(proc.cmdline())
            except psutil.Error:
                continue
            role = next(
                (r for r in ("api", "worker", "beat", "up") if f"archivist.cli {r}" in cmdline),
                "postgres" if "postgres" in cmdline else proc.name(),
            )
            totals[role] += times.user + times.system
        return dict(totals)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C, as a person stops `archivist up`; killed if it takes longer than 30 s."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def running_stack(data_dir: Path | None = None, **env: str) -> Iterator[Stack]:
    """Yields a ready stack. Without `data_dir` it runs on a fresh one, deleted afterwards;
    a given `data_dir` is used as it is (a new one or an earlier stack's) and kept."""
    owned = data_dir is None
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="archivist-bench-"))
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
        yield Stack(base, process, data_dir)
    finally:
        stop(process)
        if owned:
            shutil.rmtree(data_dir, ignore_errors=True)


def sign_up(base: str, email: str, organization: str = "Bench") -> dict[str, Any]:
    """A new organization's admin; the API's answer (token and user)."""
    response = httpx.post(
        f"{base}/api/auth/register",
        json={"email": email, "password": "benchmark password", "organization_name": organization},
    )
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def register(base: str, email: str = "bench@example.com") -> dict[str, str]:
    return {"Authorization": f"Bearer {sign_up(base, email)['access_token']}"}


def login(base: str, email: str = "bench@example.com") -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/auth/login", json={"email": email, "password": "benchmark password"}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
