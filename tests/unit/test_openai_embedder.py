"""The OpenAI-compatible embedder against a real HTTP server on 127.0.0.1."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from archivist.embedding.openai_compat import EmbeddingServiceError, OpenAICompatibleEmbedder


class EmbeddingServer(ThreadingHTTPServer):
    mode = "ok"
    requests: list[dict[str, Any]]


class Handler(BaseHTTPRequestHandler):
    server: EmbeddingServer

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        self.server.requests.append(
            {"path": self.path, "auth": self.headers.get("authorization"), **body}
        )
        if self.server.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        dim = 3 if self.server.mode == "wrong-dim" else 384
        data = [
            {"index": i, "embedding": [float(len(text))] + [1.0] * (dim - 1)}
            for i, text in enumerate(body["input"])
        ]
        data.reverse()  # servers may answer out of order; `index` says where each belongs
        payload = json.dumps({"object": "list", "data": data}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def server() -> Iterator[EmbeddingServer]:
    httpd = EmbeddingServer(("127.0.0.1", 0), Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()


def embedder(server: EmbeddingServer, **kwargs: Any) -> OpenAICompatibleEmbedder:
    host, port = server.server_address[:2]
    return OpenAICompatibleEmbedder(f"http://{host!s}:{port}", "test-model", **kwargs)


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


def test_server_error_raises_a_retryable_error(server: EmbeddingServer) -> None:
    server.mode = "error"
    with pytest.raises(EmbeddingServiceError, match="embedding server error"):
        embedder(server).embed(["x"])


def test_wrong_dimension_is_refused(server: EmbeddingServer) -> None:
    server.mode = "wrong-dim"
    with pytest.raises(EmbeddingServiceError, match="wrong shape"):
        embedder(server).embed(["x"])


def test_unreachable_server_raises_a_retryable_error() -> None:
    unreachable = OpenAICompatibleEmbedder("http://127.0.0.1:9", "m", timeout_seconds=2)
    with pytest.raises(EmbeddingServiceError):
        unreachable.embed(["x"])
