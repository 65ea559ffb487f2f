"""Probes run inside the extraction sandbox by tests/unit/test_sandbox.py.

Each is a `jail` target (`tests.unit.sandbox_probes:NAME`): it takes the argument list, prints
one JSON object (the child protocol; `problem`, since `error` is the child reporting a failed
extraction), and returns the exit code. Everything they import is
imported here, at the top, because the jail imports this module before it drops privileges.
"""

import json
import os
import signal
import socket
import subprocess


def _say(**result: object) -> int:
    print(json.dumps(result))
    return 0


def connect(args: list[str]) -> int:
    """Try a TCP connection to args[0]:args[1]."""
    try:
        with socket.create_connection((args[0], int(args[1])), timeout=5) as conn:
            conn.sendall(b"leak")
    except OSError as exc:
        return _say(connected=False, problem=f"{type(exc).__name__}: {exc}")
    return _say(connected=True, problem=None)


def read(args: list[str]) -> int:
    """Try to read the file at args[0]."""
    try:
        with open(args[0], "rb") as f:
            data = f.read()
    except OSError as exc:
        return _say(read=False, problem=f"{type(exc).__name__}: {exc}", data=None)
    return _say(read=True, problem=None, data=data.decode("utf-8", "replace"))


def run(args: list[str]) -> int:
    """Try to start the program args (a shell, say)."""
    try:
        done = subprocess.run(args, capture_output=True, check=False, timeout=5)
    except (OSError, subprocess.SubprocessError) as exc:
        return _say(ran=False, problem=f"{type(exc).__name__}: {exc}")
    return _say(ran=True, problem=None, output=done.stdout.decode("utf-8", "replace"))


def stdin(args: list[str]) -> int:
    """Echo the file handed over on stdin."""
    return _say(data=os.read(0, 1 << 20).decode("utf-8", "replace"))


def environment(args: list[str]) -> int:
    return _say(env=dict(os.environ))


def crash(args: list[str]) -> int:
    os.kill(os.getpid(), signal.SIGSEGV)
    return 0


def garbage(args: list[str]) -> int:
    print("not json")
    return 0
