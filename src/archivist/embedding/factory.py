"""One embedder per process, loaded on first use."""

import threading
from functools import lru_cache

from archivist.core.config import EmbeddingSettings, Settings
from archivist.embedding.base import Embedder

_lock = threading.Lock()


def create_embedder(settings: Settings) -> Embedder:
    cache_dir = str(settings.data_dir.resolve() / "models")
    with _lock:  # threads asking at once must not load the model twice
        return _cached(settings.embedding.model_dump_json(), cache_dir)


@lru_cache(maxsize=4)
def _cached(config_json: str, cache_dir: str) -> Embedder:
    config = EmbeddingSettings.model_validate_json(config_json)
    if config.provider == "openai":
        from archivist.embedding.openai_compat import OpenAICompatibleEmbedder

        return OpenAICompatibleEmbedder(
            config.base_url, config.model, config.api_key, config.timeout_seconds, config.batch_size
        )
    if config.provider == "onnx-int8":
        from pathlib import Path

        from archivist.embedding.onnx_int8 import OnnxInt8Embedder

        return OnnxInt8Embedder(Path(cache_dir))
    if config.provider == "local":
        from archivist.embedding.local import LocalEmbedder

        return LocalEmbedder(batch_size=config.batch_size)
    raise ValueError(f"unknown embedding provider {config.provider!r} (local, onnx-int8, openai)")
