"""One embedder per process, loaded on first use."""

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path

from archivist.core.config import EmbeddingSettings, Settings
from archivist.embedding.base import EMBEDDING_DIM, Embedder

# The bundled model (all-MiniLM-L6-v2), run by PyTorch, ONNX Runtime, or quantized.
LOCAL_PROVIDERS = ("local", "onnx", "onnx-int8")
_lock = threading.Lock()


def create_embedder(settings: Settings) -> Embedder:
    """The configured embedder: documents (worker) and anything else that embeds in bulk."""
    return _create(settings, settings.embedding.provider)


def create_query_embedder(settings: Settings) -> Embedder:
    """The embedder for queries in the API: same vectors as `create_embedder`'s.

    The bundled model runs on ONNX Runtime here rather than torch: identical vectors, about 3x
    faster for one short text, and the API process does not keep torch in memory.
    """
    provider = settings.embedding.provider
    return _create(settings, "onnx" if provider == "local" else provider)


def model_dimension(settings: Settings) -> int:
    """The size of the configured model's vectors: known for the bundled model, asked of a
    remote server by embedding one short text (`EmbeddingServiceError` when it cannot answer)."""
    provider = settings.embedding.provider
    if provider == "openai":
        from archivist.embedding.openai_compat import OpenAICompatibleEmbedder

        embedder = create_embedder(settings)
        assert isinstance(embedder, OpenAICompatibleEmbedder)
        return embedder.probe_dimension()
    if provider in LOCAL_PROVIDERS:
        return EMBEDDING_DIM
    raise ValueError(_unknown(provider))


def _create(settings: Settings, provider: str) -> Embedder:
    models_dir = settings.embedding.models_dir or settings.data_dir / "models"
    cache_dir = str(models_dir.resolve())
    with _lock:  # threads asking at once must not load the model twice
        return _cached(settings.embedding.model_dump_json(), provider, cache_dir)


@lru_cache(maxsize=4)
def _cached(config_json: str, provider: str, cache_dir: str) -> Embedder:
    config = EmbeddingSettings.model_validate_json(config_json)
    if provider == "openai":
        from archivist.embedding.openai_compat import OpenAICompatibleEmbedder

        return OpenAICompatibleEmbedder(
            config.base_url,
            config.model,
            config.api_key,
            config.timeout_seconds,
            config.batch_size,
            dim=config.dim,
            retries=config.retries,
        )
    if provider in ("onnx", "onnx-int8"):
        from archivist.embedding.onnx import OnnxEmbedder

        embedder = OnnxEmbedder(Path(cache_dir), quantized=provider == "onnx-int8")
        embedder.load()  # built into the cache on first use (torch export, once)
        return embedder
    if provider == "local":
        if importlib.util.find_spec("sentence_transformers") is None:
            raise RuntimeError(
                "the embedding provider `local` needs PyTorch, which this installation lacks (the "
                "container image has none): set ARCHIVIST_EMBEDDING__PROVIDER=onnx-int8 or onnx"
            )
        from archivist.embedding.local import LocalEmbedder

        return LocalEmbedder(batch_size=config.batch_size)
    raise ValueError(_unknown(provider))


def _unknown(provider: str) -> str:
    return f"unknown embedding provider {provider!r} (local, onnx, onnx-int8, openai)"
