"""A real S3 server for the tests: a single-node OpenStack Swift with s3api, on 127.0.0.1.

Swift runs from Debian's packages under Debian's own /usr/bin/python3 (never the project venv):
memcached, the account/container/object servers and a proxy whose pipeline carries s3api and
tempauth. Unlike moto's server it checks every signature, so a tampered presigned URL or a wrong
secret fails as it would against AWS.

The proxy also runs Swift's keymaster + encryption middleware: without it s3api answers
`x-amz-server-side-encryption: AES256` with 501 NotImplemented, and the product sends that header
by default. `start_s3_server(encryption=False)` gives the bare pipeline.

Rings are rebuilt on every start: they hold the servers' ports, which are free ports picked per
run, and building all three in one python3 process takes well under a second.
"""

import base64
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from archivist.core.config import S3Settings

SYSTEM_PYTHON = "/usr/bin/python3"
SWIFT_BIN = Path("/usr/bin")
SERVERS = ("account", "container", "object")
DEBIAN_PACKAGES = ("swift", "swift-proxy", "swift-account", "swift-container", "swift-object")
APT_PACKAGES = (*DEBIAN_PACKAGES, "memcached")
REQUIRED_FILES = (
    Path(SYSTEM_PYTHON),
    Path("/usr/bin/memcached"),
    *(SWIFT_BIN / f"swift-{name}-server" for name in (*SERVERS, "proxy")),
)
ACCOUNT = "archivist"
USER = "tester"
REGION = "us-east-1"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0


class S3ServerUnavailable(Exception):
    """Swift is not installed and cannot be installed here; the caller should skip."""


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    region: str
    root: Path  # the temp folder holding configs, devices and logs


def _missing_files() -> list[str]:
    return [str(path) for path in REQUIRED_FILES if not path.exists()]


def ensure_swift_installed() -> None:
    """Install the Debian packages when missing (root + apt only), else S3ServerUnavailable."""
    missing = _missing_files()
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise S3ServerUnavailable(
            f"OpenStack Swift is not installed (missing {', '.join(missing)}) and cannot be "
            f"installed here (needs root and apt-get): apt-get install -y {' '.join(APT_PACKAGES)}"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES],
    ):
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise S3ServerUnavailable(
                f"{' '.join(command)} failed ({result.returncode}): {result.stderr[-2000:]}"
            )
    if missing := _missing_files():
        raise S3ServerUnavailable(f"Swift still incomplete after apt-get: {', '.join(missing)}")


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _system_env() -> dict[str, str]:
    """The environment minus anything that would point Debian's python at our venv."""
    drop = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"}
    env = {key: value for key, value in os.environ.items() if key not in drop}
    venv_bin = os.environ.get("VIRTUAL_ENV", "\0") + "/bin"
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "/usr/bin:/bin").split(os.pathsep) if part != venv_bin
    )
    return env


_RING_SCRIPT = """
import sys
from swift.common.ring import RingBuilder

swift_dir = sys.argv[1]
for spec in sys.argv[2:]:
    name, port = spec.split("=")
    builder = RingBuilder(6, 1, 1)
    builder.add_dev({"region": 1, "zone": 1, "ip": "127.0.0.1", "port": int(port),
                     "device": "d1", "weight": 100})
    builder.rebalance()
    builder.get_ring().save(f"{swift_dir}/{name}.ring.gz")
"""


def _build_rings(swift_dir: Path, ports: dict[str, int]) -> None:
    specs = [f"{name}={port}" for name, port in ports.items()]
    result = subprocess.run(
        [SYSTEM_PYTHON, "-c", _RING_SCRIPT, str(swift_dir), *specs],
        env=_system_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"building the Swift rings failed: {result.stderr}")


def _write_configs(
    root: Path, ports: dict[str, int], memcached_port: int, secret: str, encryption: bool
) -> Path:
    swift_dir = root / "etc"
    devices = root / "srv"
    (devices / "d1").mkdir(parents=True)
    swift_dir.mkdir()
    user = pwd.getpwuid(os.getuid()).pw_name  # Swift drops privileges to `user` when root
    (swift_dir / "swift.conf").write_text(
        textwrap.dedent(
            f"""\
            [swift-hash]
            swift_hash_path_suffix = {secrets.token_hex(8)}
            swift_hash_path_prefix = {secrets.token_hex(8)}

            [storage-policy:0]
            name = Policy-0
            default = yes
            """
        )
    )
    common = textwrap.dedent(
        f"""\
        [DEFAULT]
        devices = {devices}
        mount_check = false
        bind_ip = 127.0.0.1
        workers = 0
        swift_dir = {swift_dir}
        user = {user}
        log_level = INFO
        """
    )
    for name in SERVERS:
        (swift_dir / f"{name}-server.conf").write_text(
            common
            + textwrap.dedent(
                f"""\
                bind_port = {ports[name]}

                [pipeline:main]
                pipeline = healthcheck {name}-server

                [filter:healthcheck]
                use = egg:swift#healthcheck

                [app:{name}-server]
                use = egg:swift#{name}
                """
            )
        )
    pipeline = (
        "catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl "
        "s3api tempauth copy slo dlo versioned_writes symlink "
        + ("keymaster encryption " if encryption else "")
        + "proxy-logging proxy-server"
    )
    root_secret = base64.b64encode(secrets.token_bytes(32)).decode()
    simple_filters = [
        "catch_errors",
        "gatekeeper",
        "healthcheck",
        "proxy-logging",
        "listing_formats",
        "bulk",
        "tempurl",
        "copy",
        "slo",
        "dlo",
        "versioned_writes",
        "symlink",
        "encryption",
    ]
    (swift_dir / "proxy-server.conf").write_text(
        common
        + textwrap.dedent(
            f"""\
            bind_port = {ports["proxy"]}

            [pipeline:main]
            pipeline = {pipeline}

            [app:proxy-server]
            use = egg:swift#proxy
            account_autocreate = true

            [filter:s3api]
            use = egg:swift#s3api
            location = {REGION}

            [filter:tempauth]
            use = egg:swift#tempauth
            user_{ACCOUNT}_{USER} = {secret} .admin

            [filter:cache]
            use = egg:swift#memcache
            memcache_servers = 127.0.0.1:{memcached_port}

            [filter:keymaster]
            use = egg:swift#keymaster
            encryption_root_secret = {root_secret}
            """
        )
        + "".join(
            f"\n[filter:{name}]\nuse = egg:swift#{name.replace('-', '_')}\n"
            for name in simple_filters
        )
    )
    return swift_dir


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _wait_ready(
    urls: dict[str, str], processes: dict[str, subprocess.Popen[bytes]], logs: Path
) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    pending = dict(urls)
    with httpx.Client(timeout=2.0) as http:
        while pending:
            for name, process in processes.items():
                if process.poll() is not None:
                    raise RuntimeError(
                        f"Swift {name} exited with {process.returncode}:\n"
                        + _log_tail(logs / f"{name}.log")
                    )
            for name, url in list(pending.items()):
                try:
                    if http.get(url).status_code == 200:
                        del pending[name]
                except httpx.TransportError:
                    pass
            if pending and time.monotonic() > deadline:
                raise RuntimeError(
                    f"Swift not ready after {START_TIMEOUT_SECONDS:.0f} s: {sorted(pending)}\n"
                    + "\n".join(_log_tail(logs / f"{name}.log") for name in pending)
                )
            if pending:
                time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def start_s3_server(*, encryption: bool = True) -> Iterator[S3Server]:
    """Start Swift + s3api on free ports in a temp folder; stop it and remove the folder after.

    Raises S3ServerUnavailable when Swift is missing and cannot be installed.
    """
    ensure_swift_installed()
    root = Path(tempfile.mkdtemp(prefix="archivist-swift-"))
    processes: dict[str, subprocess.Popen[bytes]] = {}
    with ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, root, ignore_errors=True)
        memcached_port, *server_ports = _free_ports(5)
        ports = dict(zip((*SERVERS, "proxy"), server_ports, strict=True))
        secret = secrets.token_urlsafe(24)
        swift_dir = _write_configs(root, ports, memcached_port, secret, encryption)
        _build_rings(swift_dir, {name: ports[name] for name in SERVERS})
        logs = root / "logs"
        logs.mkdir()
        # Stopped in reverse start order (proxy first) by the ExitStack.
        commands = {
            "memcached": [
                "/usr/bin/memcached",
                "-l",
                "127.0.0.1",
                "-p",
                str(memcached_port),
                "-U",
                "0",
                "-m",
                "16",
                *(["-u", "root"] if os.geteuid() == 0 else []),
            ],
            **{
                name: [
                    SYSTEM_PYTHON,
                    str(SWIFT_BIN / f"swift-{name}-server"),
                    str(swift_dir / f"{name}-server.conf"),
                    "-v",
                ]
                for name in (*SERVERS, "proxy")
            },
        }
        env = _system_env()
        for name, command in commands.items():
            log: IO[bytes] = cleanup.enter_context((logs / f"{name}.log").open("wb"))
            processes[name] = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
            )
            cleanup.callback(_stop, processes[name])
        _wait_ready(
            {name: f"http://127.0.0.1:{port}/healthcheck" for name, port in ports.items()},
            processes,
            logs,
        )
        yield S3Server(
            endpoint=f"http://127.0.0.1:{ports['proxy']}",
            access_key=f"{ACCOUNT}:{USER}",
            secret_key=secret,
            region=REGION,
            root=root,
        )


def s3_settings(server: S3Server, **overrides: object) -> S3Settings:
    """Settings for the product's S3 store pointed at this server."""
    values: dict[str, object] = {
        "bucket": "archivist-test",
        "endpoint_url": server.endpoint,
        "region": server.region,
        "access_key_id": server.access_key,
        "secret_access_key": server.secret_key,
        "path_style": True,
        "create_bucket": True,
    }
    values.update(overrides)
    return S3Settings.model_validate(values)
