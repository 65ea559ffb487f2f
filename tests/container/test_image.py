"""The container image (deploy/Containerfile): what it holds, and every role run from it.

Containers run as the image's own user with a read-only root filesystem (only a tmpfs /tmp and a
data volume are writable), on the host network, against a PostgreSQL and Redis started the way
the test suite starts them. The database is new, so `archivist migrate` in the container creates
the schema.
"""

import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from archivist.embedded.ports import free_port
from archivist.embedded.services import EmbeddedServices
from tests.containers import podman, sign_up_and_upload

IMAGE_SIZE_LIMIT = 1_200_000_000
READY_LIMIT_SECONDS = 30
# Run inside the image; prints what the assertions below check.
INSPECT = """
import importlib.util, json, os, shutil
from pathlib import Path
from archivist.llm.local import LocalLLM, bundled_model_path
models = Path(os.environ["ARCHIVIST_EMBEDDING__MODELS_DIR"])
tools = ["gcc", "cc", "c++", "g++", "clang", "make", "ld", "as"]
LocalLLM(threads=1, context_tokens=256)  # llama.cpp loads the GGUF
print(json.dumps({
    "uid": os.getuid(),
    "compilers": [t for t in tools if shutil.which(t)],
    "torch": importlib.util.find_spec("torch") is not None,
    "onnx_models": sorted(p.name for p in models.glob("*.onnx")),
    "gguf": str(bundled_model_path()),
    "root_writable": os.access("/", os.W_OK) or os.access("/opt/venv", os.W_OK),
}))
"""


@pytest.fixture
def volume() -> Iterator[str]:
    name = f"archivist-test-data-{uuid.uuid4().hex[:8]}"
    podman("volume", "create", name)
    yield name
    podman("volume", "rm", "--force", name, check=False)


@pytest.fixture
def started() -> Iterator[list[str]]:
    """Names of detached containers, removed after the test."""
    names: list[str] = []
    yield names
    for name in names:
        podman("rm", "--force", "--time", "5", name, check=False)


def run_args(volume: str | None, env: dict[str, str]) -> list[str]:
    """`podman run` options of every role: read-only root, tmpfs /tmp, the image's user."""
    args = ["--read-only", "--tmpfs", "/tmp", "--network", "host"]
    if volume:
        args += ["--volume", f"{volume}:/data"]
    for key, value in env.items():
        args += ["--env", f"{key}={value}"]
    return args


def service_env(stack: EmbeddedServices, port: int) -> dict[str, str]:
    return {
        "DATABASE_URL": stack.database_url,
        "REDIS_URL": stack.redis_url,
        "ARCHIVIST_HOST": "127.0.0.1",
        "ARCHIVIST_PORT": str(port),
        "ARCHIVIST_AUTH__JWT_SECRET": "image-test-" + "x" * 40,
        "ARCHIVIST_LLM__PROVIDER": "extractive",
    }


def test_image_is_small_non_root_without_compilers_or_torch(container_image: str) -> None:
    (config,) = json.loads(podman("image", "inspect", container_image).stdout)
    assert config["Config"]["User"] == "10001:10001"
    assert config["Size"] <= IMAGE_SIZE_LIMIT, f"image is {config['Size'] / 1e9:.2f} GB"

    done = podman(
        "run", "--rm", *run_args(None, {}), "--entrypoint", "python", container_image,
        "-c", INSPECT,
    )  # fmt: skip
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["uid"] == 10001
    assert found["compilers"] == []
    assert found["torch"] is False
    assert found["onnx_models"] == ["all-MiniLM-L6-v2-int8-v1.onnx"]
    assert found["gguf"].endswith(".gguf"), found["gguf"]
    assert found["root_writable"] is False


def test_roles_migrate_serve_index_and_search(
    container_image: str, stack: EmbeddedServices, volume: str, started: list[str]
) -> None:
    port = free_port()
    env = service_env(stack, port)
    migrated = podman(
        "run", "--rm", *run_args(None, {"ARCHIVIST_MIGRATION_DATABASE_URL": stack.migration_url}),
        container_image, "migrate",
    )  # fmt: skip
    assert "latest migration" in migrated.stdout

    suffix = uuid.uuid4().hex[:8]
    api, worker = f"archivist-test-api-{suffix}", f"archivist-test-worker-{suffix}"
    began = time.monotonic()
    podman("run", "--detach", "--name", api, *run_args(volume, env), container_image, "api")
    started.append(api)
    base = f"http://127.0.0.1:{port}"
    wait_ready(api, f"{base}/ready", began)
    ready_after = time.monotonic() - began
    report(f"container start to /ready: {ready_after:.1f} s")
    assert ready_after < READY_LIMIT_SECONDS

    podman(
        "run", "--detach", "--name", worker, *run_args(volume, env), container_image,
        "worker", "--queues", "primary,docprocessing,kg", "--concurrency", "2",
    )  # fmt: skip
    started.append(worker)
    beat = f"archivist-test-beat-{suffix}"
    podman("run", "--detach", "--name", beat, *run_args(volume, env), container_image, "beat")
    started.append(beat)

    page = httpx.get(f"{base}/")
    assert page.status_code == 200 and "<html" in page.text, page.text[:300]
    assert httpx.get(f"{base}/health").status_code == 200

    headers, document_id = sign_up_and_upload(
        base, "image", b"The grey heron nests in tall alder trees."
    )
    wait_indexed(worker, base, headers, document_id)
    # Semantic search: the query is embedded by the API with the image's ONNX model, the
    # document was embedded by the worker with the same.
    found = httpx.post(
        f"{base}/api/search",
        json={"query": "where do herons breed", "mode": "semantic"},
        headers=headers,
    )
    assert found.status_code == 200, found.text
    assert [r["document_id"] for r in found.json()["results"]] == [document_id]

    # beat keeps its schedule on the data volume, the one writable place besides /tmp.
    assert "beat: Starting" in logs(beat)
    running = podman("inspect", "--format", "{{.State.Running}}", beat, worker, api).stdout
    assert running.split() == ["true"] * 3, logs(beat) + logs(worker)


def wait_ready(name: str, url: str, began: float, timeout: float = 120) -> None:
    while time.monotonic() - began < timeout:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        state = podman("inspect", "--format", "{{.State.Running}}", name, check=False)
        if state.stdout.strip() != "true":
            pytest.fail(f"{name} stopped:\n{logs(name)}")
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer 200 within {timeout} s:\n{logs(name)}")


def wait_indexed(worker: str, base: str, headers: dict[str, str], document_id: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = httpx.get(f"{base}/api/documents/{document_id}", headers=headers).json()["status"]
        if status in ("indexed", "failed"):
            assert status == "indexed", logs(worker)
            return
        time.sleep(0.3)
    pytest.fail(f"the document was not indexed:\n{logs(worker)}")


def logs(name: str) -> str:
    done = podman("logs", "--tail", "60", name, check=False)
    return done.stdout + done.stderr


def report(line: str) -> None:
    """Measurements, kept beside the build log for the CI report."""
    path = Path(os.environ.get("TMPDIR", "/tmp")) / "archivist-image-report.txt"
    with path.open("a") as f:
        f.write(line + "\n")
