from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest


@pytest.fixture
def stack_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "data"
    for proc in psutil.process_iter(["cmdline"]):
        if str(tmp_path) in " ".join(proc.info["cmdline"] or []):
            proc.kill()
