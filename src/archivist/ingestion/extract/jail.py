"""The confinement the extraction child runs in.

`python -m archivist.ingestion.extract.jail POLICY MODULE:FUNCTION [ARG...]` imports MODULE,
calls its optional `preload(args)`, confines this very process, then exits with
`FUNCTION(args)`. Confined means, in order:

1. a new network namespace, which holds nothing but a loopback that is down: no connection to
   anything, 127.0.0.1 included. As root that is `unshare(CLONE_NEWNET)`; otherwise it is tried
   inside a new user namespace, which many kernels and container runtimes allow.
2. as root, POLICY's uid and gid (the sandbox user) with no supplementary groups, so the data
   directory, the secrets and every stored object are out of reach; the one file to parse
   arrives already open on stdin.
3. no new privileges, no child processes (RLIMIT_NPROC 0), and a seccomp filter that refuses
   `socket()` (a second lock on the network, which holds where namespaces are not allowed, e.g.
   in most containers), `execve`, `ptrace` and the other ways to reach into another process.

The uid changes in this process rather than before an `exec`: a process whose uid changed is
not dumpable, so another sandboxed child (same uid, another tenant's file) can neither trace it
nor open its `/proc/PID/fd/0`. It is also why MODULE is imported first: the sandbox user may not
be able to read the Python installation (pyenv under `/root`, say), so whatever FUNCTION needs is
imported before the drop (`preload`). This module uses the standard library only.

A step the system refuses is skipped rather than fatal; `sandbox.sandbox_report()` runs
`report` here to see what actually holds and warns once.
"""

import contextlib
import ctypes
import encodings
import errno
import importlib
import json
import os
import pkgutil
import platform
import resource
import signal
import struct
import sys
from typing import Any

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_SECCOMP = 22
PR_SET_NO_NEW_PRIVS = 38
SECCOMP_MODE_FILTER = 2

_SECCOMP_RET_KILL_PROCESS = 0x80000000
_SECCOMP_RET_ERRNO = 0x00050000
_SECCOMP_RET_ALLOW = 0x7FFF0000
_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_RET_K = 0x06
_X32_SYSCALL_BIT = 0x40000000

# (audit arch, {syscall: number}) per machine; other machines get no filter (the report says so).
_REFUSED = (
    *("socket", "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev"),
    *("io_uring_setup", "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key"),
)
_SYSCALLS: dict[str, tuple[int, dict[str, int]]] = {
    "x86_64": (
        0xC000003E,
        {
            "socket": 41,
            "execve": 59,
            "execveat": 322,
            "ptrace": 101,
            "process_vm_readv": 310,
            "process_vm_writev": 311,
            "io_uring_setup": 425,
            "bpf": 321,
            "perf_event_open": 298,
            "userfaultfd": 323,
            "keyctl": 250,
            "add_key": 248,
        },
    ),
    "aarch64": (
        0xC00000B7,
        {
            "socket": 198,
            "execve": 221,
            "execveat": 281,
            "ptrace": 117,
            "process_vm_readv": 270,
            "process_vm_writev": 271,
            "io_uring_setup": 425,
            "bpf": 280,
            "perf_event_open": 241,
            "userfaultfd": 282,
            "keyctl": 219,
            "add_key": 217,
        },
    ),
}


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, arg2: int = 0, arg3: int = 0) -> bool:
    prctl = _libc().prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return bool(prctl(option, arg2, arg3, 0, 0) == 0)


def _new_network() -> bool:
    unshare = _libc().unshare
    unshare.argtypes = [ctypes.c_int]
    unshare.restype = ctypes.c_int
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWUSER | CLONE_NEWNET
    return bool(unshare(flags) == 0)


def seccomp_program(machine: str) -> bytes | None:
    """The BPF program refusing `_REFUSED` (EPERM) on `machine`, or None if it is not known.

    Another ABI than the machine's own (x32, i386 through `int 0x80`) kills the process: the
    syscall numbers the filter checks would mean something else there.
    """
    if machine not in _SYSCALLS:
        return None
    arch, numbers = _SYSCALLS[machine]
    refused = [numbers[name] for name in _REFUSED]
    code: list[tuple[int, int, int, int]] = [
        (_BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (_BPF_JEQ_K, 1, 0, arch),
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_KILL_PROCESS),
        (_BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
    ]
    checks = ([(_BPF_JGE_K, _X32_SYSCALL_BIT)] if machine == "x86_64" else []) + [
        (_BPF_JEQ_K, number) for number in refused
    ]
    for index, (op, value) in enumerate(checks):
        # Jump over the remaining checks and the ALLOW to the ERRNO return.
        code.append((op, len(checks) - index, 0, value))
    code.append((_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW))
    code.append((_BPF_RET_K, 0, 0, _SECCOMP_RET_ERRNO | errno.EPERM))
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in code)


def _seccomp() -> bool:
    program = seccomp_program(platform.machine())
    if program is None:
        return False
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.addressof(buffer))
    return _prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog))


def confine(policy: dict[str, Any]) -> None:
    """Confine the calling process for good; see the module docstring. Single-threaded only."""
    _new_network()
    uid, gid = policy.get("uid"), policy.get("gid")
    if uid is not None and gid is not None and os.geteuid() == 0:
        try:
            os.setgroups([])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)
        except OSError:
            pass  # root without CAP_SETUID/SETGID (some containers): the report says so
    # Already so after a uid change; said again for the same-uid case.
    _prctl(PR_SET_DUMPABLE, 0)
    parent = os.getppid()
    # Cleared by the uid change above, so set after it; the worker dying takes its children.
    if _prctl(PR_SET_PDEATHSIG, signal.SIGKILL) and os.getppid() != parent:
        os._exit(1)
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    if _prctl(PR_SET_NO_NEW_PRIVS, 1):
        _seccomp()


def report(args: list[str]) -> int:
    """Print what holds in here, for `sandbox.sandbox_report()` and the tests."""
    with open("/proc/self/status", encoding="utf-8") as f:
        status = dict(line.split(":\t", 1) for line in f.read().splitlines() if ":\t" in line)
    try:
        network = os.readlink("/proc/self/ns/net")
    except OSError:
        network = ""
    print(
        json.dumps(
            {
                "uid": os.getuid(),
                "gid": os.getgid(),
                "groups": os.getgroups(),
                "network_namespace": network,
                "no_new_privs": status.get("NoNewPrivs", "").strip() == "1",
                "seccomp": status.get("Seccomp", "").strip() == str(SECCOMP_MODE_FILTER),
            }
        )
    )
    return 0


def _load_codecs() -> None:
    # Codecs are imported by name the first time text is decoded with them, which the sandbox
    # user may not be allowed to do (see the module docstring): load them all while we can.
    for info in pkgutil.iter_modules(encodings.__path__):
        with contextlib.suppress(ImportError):  # another platform's (mbcs, oem)
            importlib.import_module(f"encodings.{info.name}")


def main(argv: list[str]) -> int:
    if len(argv) < 2 or ":" not in argv[1]:
        print(
            "usage: python -m archivist.ingestion.extract.jail POLICY MODULE:FUNCTION [ARG...]",
            file=sys.stderr,
        )
        return 2
    policy = json.loads(argv[0])
    module_name, function_name = argv[1].split(":", 1)
    args = argv[2:]
    _load_codecs()
    module = importlib.import_module(module_name)
    function = getattr(module, function_name)
    preload = getattr(module, "preload", None)
    if preload is not None:
        preload(args)
    confine(policy)
    return int(function(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
