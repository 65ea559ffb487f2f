"""llama.cpp's own OpenAI-compatible server (`llama_cpp.server`) with the bundled model: a real
peer for the chat and embedding clients.

    python -m tests.llama_server --model M --embedding true ...   (llama_cpp.server's arguments)

runs it with mean pooling, so `/v1/embeddings` answers one vector per text (the bundled chat
model's file names no pooling, and the server has no option for it; without pooling it answers
one vector per token).
"""

import importlib.util
import runpy
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from archivist.embedded.ports import free_port
from archivist.llm import local

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def llama_server(embedding: bool = False) -> Iterator[str]:
    """The server's address, without `/v1`; skips the test where it cannot run."""
    if not local.available():
        pytest.skip("llama-cpp-python or the model is missing")
    if importlib.util.find_spec("sse_starlette") is None:
        pytest.skip("llama_cpp.server needs sse-starlette (dev extra)")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.llama_server",
            "--model",
            str(local.bundled_model_path()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--interrupt_requests",
            "False",
            "--n_threads",
            "2",
            "--embedding",
            str(embedding),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/v1/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("llama_cpp.server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(10)


def _serve() -> None:
    import llama_cpp

    construct = llama_cpp.Llama.__init__

    def pooled(self: llama_cpp.Llama, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("pooling_type", llama_cpp.LLAMA_POOLING_TYPE_MEAN)
        construct(self, *args, **kwargs)

    llama_cpp.Llama.__init__ = pooled  # type: ignore[method-assign]
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _serve()
