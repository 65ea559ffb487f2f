"""`archivist health`, the liveness probe of workers and beat, against a real Redis."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archivist.embedded import ports
from archivist.embedded.services import HOST, EmbeddedServices


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis of its own: the probe needs nothing else, and this one can be stopped."""
    stack = EmbeddedServices(tmp_path_factory.mktemp("broker"))
    stack.start_redis()
    try:
        yield stack.redis_url
    finally:
        stack.stop()


def probe(redis_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The probe as the kubelet runs it: a process of its own, configured by the environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ARCHIVIST_REDIS_URL")}
    env["REDIS_URL"] = redis_url
    return subprocess.run(
        [sys.executable, "-m", "archivist.cli", "health", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parent,
    )


def test_probe_passes_when_the_broker_answers(broker: str) -> None:
    result = probe(broker)
    assert result.returncode == 0, result.stderr
    assert "answers" in result.stdout


def test_probe_fails_with_a_wrong_broker_password(broker: str) -> None:
    password = broker.split("://:", 1)[1].split("@", 1)[0]
    result = probe(broker.replace(password, "not-the-password"))
    assert result.returncode == 1
    assert "does not answer" in result.stderr
    assert "not-the-password" not in result.stderr


def test_probe_fails_within_its_timeout_when_nothing_listens() -> None:
    port = ports.free_port(HOST)
    started = time.monotonic()
    result = probe(f"redis://{HOST}:{port}/0", "--timeout", "2")
    assert result.returncode == 1
    assert "does not answer" in result.stderr
    assert time.monotonic() - started < 30


def test_probe_fails_when_no_broker_is_configured() -> None:
    result = probe("")
    assert result.returncode == 1
    assert "REDIS_URL" in result.stderr
