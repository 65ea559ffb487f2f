"""`pip install .` gives a working `archivist` that needs no source checkout.

The wheel is built from a copy of the sources and installed into a fresh virtualenv in a temporary
folder; the dependencies come from this test run's environment (a `.pth` line) so nothing is
downloaded. Every command runs from outside the checkout, without PYTHONPATH, so only what the
wheel ships is found: the migrations, the web UI's export.
"""

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

import archivist
from archivist.embedded.ports import free_port
from archivist.embedded.services import EmbeddedServices
from tests.fake_embedder import EmbeddingServer, address, fake_embedding_server
from tests.support import own_services

ROOT = Path(__file__).resolve().parents[2]
WEB_STATIC = Path(archivist.__file__).resolve().parent / "web_static"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a virtualenv with the wheel installed."""
    if not (WEB_STATIC / "index.html").is_file():
        pytest.fail("the web UI is not built into the package: run `make web` first")
    work = tmp_path_factory.mktemp("package")
    sources = work / "sources"
    sources.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, sources / name)
    shutil.copytree(
        ROOT / "src",
        sources / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(work / "dist"), str(sources)], cwd=work)  # fmt: skip
    (wheel,) = (work / "dist").glob("archivist-*.whl")

    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=work)
    python = venv / "bin" / "python"
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                  cwd=work).strip()  # fmt: skip
    # The dependencies of this environment, after the venv's own packages on sys.path.
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
         "--no-index", str(wheel)], cwd=work)  # fmt: skip
    shutil.rmtree(sources)  # whatever the package needs must now come from the venv
    return venv / "bin"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServices]:
    """A database of its own, not yet migrated: the installed package must create the schema."""
    with own_services(tmp_path_factory.mktemp("package-stack")) as services:
        yield services


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env=env or clean_env(), capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without anything that could point into the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env = {k: v for k, v in env.items() if not k.startswith("ARCHIVIST_")}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    return {**env, **extra}


@pytest.fixture
def embedder() -> Iterator[EmbeddingServer]:
    with fake_embedding_server() as server:
        yield server


def test_installed_package_migrates_and_serves_the_web_ui(
    installed: Path, stack: EmbeddedServices, tmp_path: Path, embedder: EmbeddingServer
) -> None:
    where = run([str(installed / "python"), "-c", "import archivist; print(archivist.__file__)"],
                cwd=tmp_path)  # fmt: skip
    assert Path(where.strip()).is_relative_to(installed.parent), where
    env = clean_env(
        ARCHIVIST_DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=stack.database_url,
        ARCHIVIST_MIGRATION_DATABASE_URL=stack.migration_url,
        REDIS_URL=stack.redis_url,
        # Queries are embedded by a small stand-in server (start-up asks it for its vectors'
        # size): no model is built.
        ARCHIVIST_EMBEDDING__PROVIDER="openai",
        ARCHIVIST_EMBEDDING__BASE_URL=address(embedder),
    )

    output = run([str(installed / "archivist"), "migrate"], cwd=tmp_path, env=env)
    assert "latest migration" in output
    with psycopg.connect(stack.migration_url) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() is not None
        assert conn.execute("SELECT to_regclass('public.documents')").fetchone() == ("documents",)

    port = free_port()
    api = subprocess.Popen(
        [str(installed / "archivist"), "api", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(api, f"{base}/health")
        page = httpx.get(f"{base}/")
        assert page.status_code == 200
        assert page.content == (WEB_STATIC / "index.html").read_bytes()
        assert httpx.get(f"{base}/health").status_code == 200
    finally:
        api.send_signal(signal.SIGTERM)
        try:
            api.wait(20)
        except subprocess.TimeoutExpired:
            api.kill()
            api.wait()


def wait_until_up(process: subprocess.Popen[str], url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"archivist api exited ({process.returncode}):\n{output[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"archivist api did not answer {url} within {timeout} s")
