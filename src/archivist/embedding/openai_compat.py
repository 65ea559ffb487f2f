"""Any OpenAI-compatible embeddings endpoint (TEI, vLLM, Ollama, llama.cpp server, OpenAI)."""

import logging

import openai

from archivist.core import openai_api
from archivist.embedding import model_files
from archivist.embedding.base import EMBEDDING_DIM, EmbeddingServiceError

logger = logging.getLogger(__name__)
PROBE_TEXT = "dimension probe"


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
        retries: int = 2,
        connect_timeout_seconds: float = 5.0,
    ) -> None:
        self.name = model
        self.dim = dim
        self.batch_size = batch_size
        self.base_url = openai_api.api_base_url(base_url)
        self._client = openai_api.sync_client(
            base_url, api_key, timeout_seconds, connect_timeout_seconds, retries
        )

    def embed(self, texts: list[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._batch(texts[start : start + self.batch_size]))
        return vectors

    def probe_dimension(self) -> int:
        """How many dimensions the server's vectors have (one short text embedded)."""
        vectors = self._request([PROBE_TEXT])
        if len(vectors) != 1:
            raise EmbeddingServiceError(
                f"embedding server returned {len(vectors)} vectors for one text"
            )
        return len(vectors[0])

    def _batch(self, texts: list[str]) -> list[list[float]]:
        vectors = self._request(texts)
        if len(vectors) != len(texts) or any(len(v) != self.dim for v in vectors):
            raise EmbeddingServiceError(
                f"embedding server returned {len(vectors)} vectors of the wrong shape "
                f"(expected {len(texts)} x {self.dim})"
            )
        return [_normalize(v) for v in vectors]

    def _request(self, texts: list[str]) -> list[list[float]]:
        # The SDK retries connection errors, timeouts and 408/409/429/5xx with backoff.
        try:
            response = self._client.embeddings.create(
                model=self.name, input=texts, encoding_format="float"
            )
            data = sorted(response.data, key=lambda item: item.index)
            return [[float(x) for x in item.embedding] for item in data]
        except openai.APITimeoutError as exc:
            raise EmbeddingServiceError("the embedding server timed out") from exc
        except openai.APIStatusError as exc:
            logger.warning(
                "the embedding endpoint answered %s: %s",
                exc.status_code,
                openai_api.logged_body(exc),
            )
            raise EmbeddingServiceError(
                openai_api.refusal(exc.status_code, "embedding", "embedding settings")
            ) from exc
        except openai.APIConnectionError as exc:
            logger.warning("the embedding endpoint could not be reached: %r", exc.__cause__)
            raise EmbeddingServiceError(
                f"the embedding server at {self.base_url} could not be reached ({exc.__cause__})"
            ) from exc
        except (openai.APIError, AttributeError, TypeError, ValueError) as exc:
            logger.warning("the embedding endpoint answered something unusable: %s", exc)
            raise EmbeddingServiceError("the embedding server answered something unusable") from exc

    def count_tokens(self, texts: list[str]) -> list[int]:
        # The server's tokenizer is unknown; the bundled one is a close, conservative stand-in.
        return model_files.count_tokens(texts)


def _normalize(vector: list[float]) -> list[float]:
    norm = sum(x * x for x in vector) ** 0.5 or 1.0
    return [x / norm for x in vector]
