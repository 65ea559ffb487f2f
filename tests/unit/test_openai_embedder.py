"""The OpenAI-compatible embedder against an HTTP server on 127.0.0.1 that misbehaves on demand
(llama.cpp's real server: tests/integration/test_openai_compatible.py)."""

from collections.abc import Iterator
from typing import Any

import pytest

from archivist.embedding.base import EmbeddingServiceError
from archivist.embedding.openai_compat import OpenAICompatibleEmbedder
from tests.fake_embedder import SECRET_BODY, EmbeddingServer, address, fake_embedding_server


@pytest.fixture
def server() -> Iterator[EmbeddingServer]:
    with fake_embedding_server() as httpd:
        yield httpd


def embedder(server: EmbeddingServer, suffix: str = "", **kwargs: Any) -> OpenAICompatibleEmbedder:
    return OpenAICompatibleEmbedder(address(server) + suffix, "test-model", **kwargs)


def test_vectors_come_back_in_input_order_normalized_and_batched(server: EmbeddingServer) -> None:
    texts = ["a", "bbbb", "cc", "ddddddd", "e"]
    vectors = embedder(server, api_key="sk-test", batch_size=2).embed(texts)
    assert len(vectors) == 5
    for text, vector in zip(texts, vectors, strict=True):
        assert len(vector) == 384
        assert abs(sum(x * x for x in vector) - 1.0) < 1e-6
        norm = (len(text) ** 2 + 383) ** 0.5
        assert abs(vector[0] - len(text) / norm) < 1e-6
    assert [len(r["input"]) for r in server.requests] == [2, 2, 1]
    assert all(
        r["path"] == "/v1/embeddings" and r["model"] == "test-model" for r in server.requests
    )
    assert server.requests[0]["auth"] == "Bearer sk-test"


@pytest.mark.parametrize("suffix", ["", "/", "/v1", "/v1/"])
def test_the_base_url_may_end_with_or_without_v1(server: EmbeddingServer, suffix: str) -> None:
    assert len(embedder(server, suffix).embed(["x"])[0]) == 384
    assert [r["path"] for r in server.requests] == ["/v1/embeddings"]


def test_server_error_raises_a_retryable_error_without_the_body(
    server: EmbeddingServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.mode = "error"
    with (
        caplog.at_level("WARNING", logger="archivist.embedding"),
        pytest.raises(
            EmbeddingServiceError, match=r"embedding endpoint failed \(HTTP 500\)"
        ) as info,
    ):
        embedder(server, retries=1).embed(["x"])
    assert len(server.requests) == 2  # retried once
    assert "sk-upstream" not in str(info.value) and "merger" not in str(info.value)
    assert SECRET_BODY.decode() in caplog.text


def test_wrong_dimension_is_refused(server: EmbeddingServer) -> None:
    server.mode = "wrong-dim"
    with pytest.raises(EmbeddingServiceError, match="wrong shape"):
        embedder(server).embed(["x"])


def test_unreachable_server_raises_a_retryable_error() -> None:
    unreachable = OpenAICompatibleEmbedder("http://127.0.0.1:9", "m", timeout_seconds=2, retries=0)
    with pytest.raises(EmbeddingServiceError, match="could not be reached"):
        unreachable.embed(["x"])
