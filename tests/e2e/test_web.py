"""The web UI in a real browser: Playwright (web/e2e) against `archivist up` started here."""

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from archivist.embedded.ports import free_port
from tests.e2e.stack import start_stack, stop, wait_ready
from tests.fake_llm import fake_llm_server

WEB = Path(__file__).resolve().parents[2] / "web"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def run_playwright(stack_dir: Path, project: str, env: dict[str, str] | None = None) -> None:
    """Runs one Playwright project (web/playwright.config.ts) against a stack started here."""
    if not (WEB / "out" / "index.html").is_file() or not (WEB / "node_modules").is_dir():
        pytest.fail("the web UI is not built: run `make test` (it runs scripts/build-web.sh)")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (scripts/install-system-deps.sh installs it)")
    port = free_port()
    process = start_stack(stack_dir, port, log=stack_dir.parent / "up.log", extra_env=env)
    try:
        wait_ready(process, port)
        npx = shutil.which("npx") or "npx"
        run = subprocess.run(
            [npx, "playwright", "test", "--project", project],
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


def test_the_web_ui_in_a_browser(stack_dir: Path) -> None:
    run_playwright(stack_dir, "default")


def test_flagged_sentences_in_a_browser(stack_dir: Path) -> None:
    """A model that adds an unsupported sentence, with grounding set to flag rather than remove."""
    with fake_llm_server() as (llm_url, behaviour):
        behaviour.mode = "embellish"
        run_playwright(
            stack_dir,
            "flag",
            {
                "ARCHIVIST_LLM__BASE_URL": llm_url,
                "ARCHIVIST_LLM__MODEL": "fake",
                "ARCHIVIST_LLM__RETRIES": "0",
                "ARCHIVIST_CHAT__GROUNDING": "flag",
            },
        )
