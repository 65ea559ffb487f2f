"""The cost of an authenticated light request, against a bare FastAPI hello-world.

    .venv/bin/python -m bench.light [--requests 4000] [--concurrency 32] [--rounds 3]
                                    [--pre-ping both|on|off]

Starts PostgreSQL and Redis (embedded), one `archivist api` process (two with `--baseline`,
another checkout to compare with) and one bare FastAPI hello-world under the same uvicorn, then
sends the same fixed number of keep-alive requests to `GET /api/me` (a bearer token) and to
`GET /hello`, interleaved, `--rounds` times. Wall-clock
req/s is noisy on a shared machine; CPU seconds per request of each server process (user +
system, from /proc) is not, so both are reported, with the ratio of each. The CPU spent by
PostgreSQL and Redis on behalf of `/api/me` is reported apart.

The load generator is a minimal HTTP/1.1 client on raw asyncio streams, so it takes as little
CPU from the servers as possible.
"""

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from archivist.core.migrate import upgrade
from archivist.embedded.ports import free_port
from archivist.embedded.services import EmbeddedServices

HELLO = (
    "from fastapi import FastAPI\n"
    "app = FastAPI()\n"
    "@app.get('/hello')\n"
    "def hello() -> dict[str, str]:\n"
    "    return {'hello': 'world'}\n"
)
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process, from /proc (no psutil caching)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def tree_cpu_seconds(pid: int) -> float:
    """CPU of a process and its children (PostgreSQL's backends, say)."""
    total = 0.0
    root = psutil.Process(pid)
    for proc in [root, *root.children(recursive=True)]:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


async def _worker(host: str, port: int, request: bytes, count: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while count[0] > 0:
            count[0] -= 1
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if status != 200:
                raise RuntimeError(f"unexpected status {status}: {head!r}")
    finally:
        writer.close()


async def _hammer(port: int, path: str, headers: dict[str, str], total: int, users: int) -> None:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    count = [total]
    await asyncio.gather(*(_worker("127.0.0.1", port, request, count) for _ in range(users)))


@dataclass
class Measure:
    rps: float
    cpu_ms: float  # server process CPU per request
    backend_ms: float = 0.0  # PostgreSQL + Redis CPU per request


def measure(
    pid: int,
    port: int,
    path: str,
    headers: dict[str, str],
    total: int,
    users: int,
    backends: list[int] = [],  # noqa: B006 (read only)
) -> Measure:
    cpu_before = cpu_seconds(pid)
    backend_before = sum(tree_cpu_seconds(b) for b in backends)
    started = time.perf_counter()
    asyncio.run(_hammer(port, path, headers, total, users))
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(pid) - cpu_before
    backend = sum(tree_cpu_seconds(b) for b in backends) - backend_before
    return Measure(total / elapsed, cpu / total * 1000, backend / total * 1000)


def wait_up(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def wait_idle(pid: int, seconds: float = 60) -> None:
    """Until the process has been (nearly) idle for a second: the API loads its query
    embedder in the background at start-up, which must not be counted."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(1)
        if cpu_seconds(pid) - before < 0.02:
            return


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        args,
        env={**os.environ, **env},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_api(
    services: EmbeddedServices, pre_ping: bool, source: str | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """One `archivist api` process; `source` runs another checkout's `src/` instead."""
    port = free_port()
    env = {
        "DATABASE_URL": services.database_url,
        "REDIS_URL": services.redis_url,
        "ARCHIVIST_DATA_DIR": str(services.data_dir),
        "ARCHIVIST_LOG_LEVEL": "WARNING",
        "ARCHIVIST_LLM__PROVIDER": "extractive",
        "ARCHIVIST_AUTH__API_REQUESTS_PER_MINUTE": "100000000",
        "ARCHIVIST_DB__POOL_PRE_PING": "true" if pre_ping else "false",
    }
    if source:
        env["PYTHONPATH"] = str(Path(source) / "src")
    process = start(
        [sys.executable, "-m", "archivist.cli", "api", "--host", "127.0.0.1", "--port", str(port)],
        env,
        services.logs / "bench-api.log",
    )
    wait_up(f"http://127.0.0.1:{port}/health")
    wait_idle(process.pid)
    return process, port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pre-ping", choices=["both", "on", "off"], default="both")
    parser.add_argument(
        "--baseline",
        metavar="CHECKOUT",
        help="also measure the API of another checkout (say, main), in the same rounds",
    )
    args = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="archivist-light-"))
    services = EmbeddedServices(data_dir)
    hello: subprocess.Popen[bytes] | None = None
    try:
        services.start_postgres()
        services.start_redis()
        upgrade(services.migration_url)
        backends = [p.pid for p in services.processes.values()]

        hello_port = free_port()
        hello = start(
            [
                sys.executable,
                "-c",
                HELLO + f"import uvicorn; uvicorn.run(app, port={hello_port}, log_level='warning')",
            ],
            {},
            services.logs / "bench-hello.log",
        )
        wait_up(f"http://127.0.0.1:{hello_port}/hello")
        sources = {"this checkout": None, **({"baseline": args.baseline} if args.baseline else {})}
        auth: dict[str, str] = {}
        for pre_ping in {"both": [True, False], "on": [True], "off": [False]}[args.pre_ping]:
            apis = {name: run_api(services, pre_ping, src) for name, src in sources.items()}
            try:
                if not auth:
                    auth = sign_up(apis["this checkout"][1])
                runs: dict[str, list[Measure]] = {name: [] for name in [*apis, "hello"]}
                warm = min(500, args.requests)
                for rounds, total in ((1, warm), (args.rounds, args.requests)):
                    for _ in range(rounds):  # interleaved, so all see the same machine load
                        for name, (api, port) in apis.items():
                            runs[name].append(
                                measure(
                                    api.pid,
                                    port,
                                    "/api/me",
                                    auth,
                                    total,
                                    args.concurrency,
                                    backends,
                                )
                            )
                        runs["hello"].append(
                            measure(hello.pid, hello_port, "/hello", {}, total, args.concurrency)
                        )
                    if total == warm:
                        runs = {name: [] for name in runs}
                report(pre_ping, runs)
            finally:
                for api, _ in apis.values():
                    stop(api)
    finally:
        if hello is not None:
            stop(hello)
        services.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def sign_up(port: int) -> dict[str, str]:
    registered = httpx.post(
        f"http://127.0.0.1:{port}/api/auth/register",
        json={
            "email": "light@bench.test",
            "password": "benchmark password",
            "organization_name": "Bench",
        },
    )
    registered.raise_for_status()
    return {"Authorization": f"Bearer {registered.json()['access_token']}"}


def report(pre_ping: bool, runs: dict[str, list[Measure]]) -> None:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    hello = runs.pop("hello")
    hello_rps, hello_cpu = med([m.rps for m in hello]), med([m.cpu_ms for m in hello])
    print(f"## pool_pre_ping={'on' if pre_ping else 'off'} (medians of {len(hello)} rounds)")
    print(
        f"GET /hello ({'bare FastAPI':>13})  {hello_rps:7.0f} req/s  {hello_cpu:.3f} CPU ms/request"
    )
    for name, me in runs.items():
        rps, cpu = med([m.rps for m in me]), med([m.cpu_ms for m in me])
        backend = med([m.backend_ms for m in me])
        print(
            f"GET /api/me ({name:>13})  {rps:7.0f} req/s  {cpu:.3f} CPU ms/request, "
            f"+ PostgreSQL and Redis {backend:.3f}; ratio to hello: req/s {rps / hello_rps:.2f}, "
            f"CPU {hello_cpu / cpu:.2f} (goal >= 0.5)"
        )
    print(flush=True)


if __name__ == "__main__":
    main()
