"""Ctrl-C of `archivist up` ends every process of the stack, grandchildren included (such as
the one-time build of the ONNX model, which an API process starts and may not wait for)."""

import subprocess
import sys
import time
from pathlib import Path

import psutil

from archivist.core.config import Settings
from archivist.embedded.supervisor import Role, Stack

SPAWNS_A_GRANDCHILD = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(120)\n"
)


def test_shutdown_ends_what_each_role_started(tmp_path: Path) -> None:
    stack = Stack(Settings(data_dir=tmp_path))
    role = Role("api", [sys.executable, "-c", SPAWNS_A_GRANDCHILD])
    stack.roles = [role]
    stack._spawn(role)
    log = stack.services.logs / "api.log"
    deadline = time.monotonic() + 20
    while not log.read_text().strip() and time.monotonic() < deadline:
        time.sleep(0.05)
    grandchild = psutil.Process(int(log.read_text().split()[0]))

    stack.shutdown()

    gone, _ = psutil.wait_procs([grandchild], timeout=5)
    assert gone or grandchild.status() == psutil.STATUS_ZOMBIE


PARENT_OF_A_BUILD = (
    "import os, subprocess, sys, time\n"
    "code = 'import sys, time; from archivist.embedding import onnx; "
    "onnx._end_with_parent(int(sys.argv[1])); time.sleep(120)'\n"
    "child = subprocess.Popen([sys.executable, '-c', code, str(os.getpid())])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(120)\n"
)


def test_model_build_ends_when_the_process_that_asked_for_it_dies() -> None:
    parent = psutil.Popen([sys.executable, "-c", PARENT_OF_A_BUILD], stdout=subprocess.PIPE)
    assert parent.stdout is not None
    build = psutil.Process(int(parent.stdout.readline()))
    time.sleep(1.0)  # the build has asked the kernel to follow its parent
    assert build.is_running()

    parent.kill()
    parent.wait(5)

    gone, _ = psutil.wait_procs([build], timeout=5)
    assert gone or build.status() == psutil.STATUS_ZOMBIE
