"""Build (or reuse) the application's container image with podman, once per test session.

No registry is reachable from the test machines, so the base images are made locally and kept
in podman's storage under stable names, to be reused by later runs:

- `localhost/archivist-test-base:bookworm`: Debian bookworm (debootstrap minbase) with Python
  3.11 and venv, standing in for `python:3.11-slim` (python3 on PATH, Debian's own at
  /usr/bin); it carries this host's CA certificates, since outbound TLS may be intercepted.
- `localhost/archivist-test-node:20`: that base with this host's Node.js 20 and npm, standing in
  for `node:20-bookworm-slim`.

The build bind-mounts this host's wheel folders and pip cache (PyTorch's CPU build lies only on
local disk here; llama-cpp-python's compiled wheel is in the cache) and reuses podman's layer
cache, so a rebuild after a source change redoes only the source layers. pip's wheel cache does
not key on CMAKE_ARGS: the llama.cpp in a test image is the host's (built for this CPU), not the
portable build the Containerfile asks for; that is fine for a test image, not for shipping one.

Use `image()` (or the `container_image` fixture in tests/container) and `podman()`.
"""

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from functools import cache
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTAINERFILE = ROOT / "deploy" / "Containerfile"
BASE_IMAGE = "localhost/archivist-test-base:bookworm"
NODE_IMAGE = "localhost/archivist-test-node:20"
IMAGE = "localhost/archivist:test"
BUILD_LOG = Path(tempfile.gettempdir()) / "archivist-image-build.log"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
HOST_CA_DIR = Path("/usr/local/share/ca-certificates")
DEBIAN_MIRROR = os.environ.get("ARCHIVIST_TEST_DEBIAN_MIRROR", "http://deb.debian.org/debian")
# Local package sources of this machine, used by the build when present (see /etc/pip.conf).
PIP_SOURCES = {
    "find_links": [Path("/opt/wheels")],
    "indexes": [Path("/opt/pypi"), Path("/opt/pypi-more")],
}
PIP_CACHE = Path("/root/.cache/pip")
# What a build took, for reports: {"base": s, "node": s, "image": s}
timings: dict[str, float] = {}


def unavailable_reason() -> str | None:
    """Why images cannot be built here, or None."""
    if shutil.which("podman") is None:
        return "podman is not installed (scripts/install-system-deps.sh installs it as root)"
    if os.geteuid() != 0:
        return "the image tests run podman as root"
    if shutil.which("debootstrap") is None and not image_exists(BASE_IMAGE):
        return "debootstrap is not installed (scripts/install-system-deps.sh installs it)"
    if shutil.which("node") is None and not image_exists(NODE_IMAGE):
        return "Node.js 20 is not installed on this host (needed for the Node build stage)"
    return None


def require_podman() -> None:
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)


def podman(
    *args: str, check: bool = True, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        ["podman", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        raise RuntimeError(
            f"podman {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}"
        )
    return done


def image_exists(name: str) -> bool:
    return subprocess.run(["podman", "image", "exists", name], capture_output=True).returncode == 0


@cache
def image() -> str:
    """The application image, built from this checkout (layers reused when unchanged)."""
    base = base_image()
    node = node_image()
    started = time.monotonic()
    args = [
        "build",
        "--network=host",
        "--layers",
        "--jobs=2",
        "--file",
        str(CONTAINERFILE),
        "--tag",
        IMAGE,
        "--build-arg",
        f"BASE_IMAGE={base}",
        "--build-arg",
        f"NODE_IMAGE={node}",
    ]
    find_links = [p for p in PIP_SOURCES["find_links"] if p.is_dir()]
    indexes = [p for p in PIP_SOURCES["indexes"] if (p / "simple").is_dir()]
    args += ["--build-arg", f"PIP_FIND_LINKS={' '.join(str(p) for p in find_links)}"]
    args += [
        "--build-arg",
        f"PIP_EXTRA_INDEX_URL={' '.join(f'file://{p}/simple' for p in indexes)}",
    ]
    for folder in [*find_links, *indexes]:
        args += ["--volume", f"{folder}:{folder}:ro"]
    PIP_CACHE.mkdir(parents=True, exist_ok=True)
    args += ["--volume", f"{PIP_CACHE}:/root/.cache/pip"]
    args.append(str(ROOT))
    with BUILD_LOG.open("w") as log:
        done = subprocess.run(["podman", *args], stdout=log, stderr=subprocess.STDOUT, check=False)
    timings["image"] = time.monotonic() - started
    if done.returncode != 0:
        tail = BUILD_LOG.read_text()[-4000:]
        raise RuntimeError(f"building the image failed (full log: {BUILD_LOG}):\n{tail}")
    return IMAGE


@cache
def base_image() -> str:
    """Debian bookworm with Python 3.11: made once with debootstrap, then kept in podman."""
    if image_exists(BASE_IMAGE):
        return BASE_IMAGE
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="archivist-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        done = subprocess.run(
            ["debootstrap", "--variant=minbase", "--include=python3,python3-venv,ca-certificates",
             "bookworm", str(rootfs), DEBIAN_MIRROR],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"debootstrap failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        # This host's CAs (an intercepting proxy may sign outbound TLS), as a site's base would.
        if HOST_CA_DIR.is_dir():
            for cert in HOST_CA_DIR.glob("*.crt"):
                shutil.copy2(cert, rootfs / "usr/local/share/ca-certificates" / cert.name)
        if HOST_CA_BUNDLE.is_file():
            shutil.copy2(HOST_CA_BUNDLE, rootfs / "etc/ssl/certs/ca-certificates.crt")
        for leftover in ("var/cache/apt", "var/lib/apt/lists"):
            for path in (rootfs / leftover).glob("*"):
                if path.is_file():
                    path.unlink()
                elif path.name != "partial":
                    shutil.rmtree(path)
        bundle = "/etc/ssl/certs/ca-certificates.crt"
        changes = [
            f"ENV {name}={bundle}"
            for name in ("SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS")
        ]
        changes.append('CMD ["python3"]')
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        command = ["podman", "import", "--quiet"]
        for change in changes:
            command += ["--change", change]
        imported = subprocess.run(
            [*command, "-", BASE_IMAGE], stdin=tar.stdout, capture_output=True, text=True
        )
        tar.wait()
        if imported.returncode != 0 or tar.returncode != 0:
            raise RuntimeError(f"podman import failed:\n{imported.stderr[-2000:]}")
    timings["base"] = time.monotonic() - started
    return BASE_IMAGE


@cache
def node_image() -> str:
    """The base image with this host's Node.js and npm, laid out as the official node image."""
    if image_exists(NODE_IMAGE):
        return NODE_IMAGE
    started = time.monotonic()
    node = Path(shutil.which("node") or "node").resolve()
    npm = Path(shutil.which("npm") or "npm").resolve().parents[1]  # .../node_modules/npm
    with tempfile.TemporaryDirectory(prefix="archivist-node-") as tmp:
        context = Path(tmp)
        shutil.copy2(node, context / "node")
        shutil.copytree(npm, context / "npm", symlinks=True)
        (context / "Containerfile").write_text(
            f"FROM {base_image()}\n"
            "COPY node /usr/local/bin/node\n"
            "COPY npm /usr/local/lib/node_modules/npm\n"
            "RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\\n"
            "    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\\n"
            "    && node --version && npm --version\n"
        )
        podman("build", "--quiet", "--tag", NODE_IMAGE, str(context))
    timings["node"] = time.monotonic() - started
    return NODE_IMAGE


def sign_up_and_upload(base: str, label: str, text: bytes) -> tuple[dict[str, str], str]:
    """A new organization's admin, signed up over HTTP, uploads one text file.

    Returns the admin's headers and the document's id.
    """
    registered = httpx.post(
        f"{base}/api/auth/register",
        json={
            "email": f"{label}-{uuid.uuid4().hex[:8]}@example.com",
            "password": "correct horse battery staple",
            "organization_name": f"{label.title()} Inc",
        },
    )
    assert registered.status_code == 201, registered.text
    headers = {"Authorization": f"Bearer {registered.json()['access_token']}"}
    uploaded = httpx.post(
        f"{base}/api/files", files={"file": (f"{label}.txt", text, "text/plain")}, headers=headers
    )
    assert uploaded.status_code == 202, uploaded.text
    return headers, uploaded.json()["document_id"]
