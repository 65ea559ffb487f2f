"""Any OpenAI-compatible `/v1/embeddings` endpoint (TEI, vLLM, Ollama, OpenAI)."""

import httpx

from archivist.embedding import model_files
from archivist.embedding.base import EMBEDDING_DIM


class EmbeddingServiceError(Exception):
    """The embedding server failed or answered something unusable (transient for the caller)."""


class OpenAICompatibleEmbedder:
    max_tokens = model_files.MAX_TOKENS

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout_seconds: float = 60.0,
        batch_size: int = 32,
        dim: int = EMBEDDING_DIM,
    ) -> None:
        self.name = model
        self.dim = dim
        self.batch_size = batch_size
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout_seconds
        )

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._batch(texts[start : start + self.batch_size]))
        return vectors

    def _batch(self, texts: list[str]) -> list[list[float]]:
        try:
            response = self._client.post(
                "/v1/embeddings", json={"model": self.name, "input": texts}
            )
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
        except (httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
            raise EmbeddingServiceError(f"embedding server error: {exc}") from exc
        vectors = [list(map(float, item["embedding"])) for item in data]
        if len(vectors) != len(texts) or any(len(v) != self.dim for v in vectors):
            raise EmbeddingServiceError(
                f"embedding server returned {len(vectors)} vectors of the wrong shape "
                f"(expected {len(texts)} x {self.dim})"
            )
        return [_normalize(v) for v in vectors]

    def count_tokens(self, texts: list[str]) -> list[int]:
        # The server's tokenizer is unknown; the bundled one is a close, conservative stand-in.
        return model_files.count_tokens(texts)


def _normalize(vector: list[float]) -> list[float]:
    norm = sum(x * x for x in vector) ** 0.5 or 1.0
    return [x / norm for x in vector]
