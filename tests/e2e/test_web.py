"""The web UI in a real browser: Playwright (web/e2e) against `archivist up` started here."""

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from archivist.embedded.ports import free_port
from tests.e2e.stack import start_stack, stop, wait_ready

WEB = Path(__file__).resolve().parents[2] / "web"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def test_the_web_ui_in_a_browser(stack_dir: Path) -> None:
    if not (WEB / "out" / "index.html").is_file() or not (WEB / "node_modules").is_dir():
        pytest.fail("the web UI is not built: run `make test` (it runs scripts/build-web.sh)")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (scripts/install-system-deps.sh installs it)")
    port = free_port()
    process = start_stack(stack_dir, port, log=stack_dir.parent / "up.log")
    try:
        wait_ready(process, port)
        npx = shutil.which("npx") or "npx"
        run = subprocess.run(
            [npx, "playwright", "test"],
            cwd=WEB,
            env={**os.environ, "ARCHIVIST_URL": f"http://127.0.0.1:{port}", "CI": "1"},
            capture_output=True,
            text=True,
            timeout=900,
        )
        print(run.stdout)
        assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    finally:
        stop(process, signal.SIGTERM)
