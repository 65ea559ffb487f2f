"""A small OpenAI-compatible embedding server on 127.0.0.1, for what a real one can't be made
to do on demand: fail, answer out of order, answer the wrong shape. Its vectors have 384
dimensions (the index's); the first component is the text's length."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# What a failing server might echo: it goes to the log, never into the error a user sees.
SECRET_BODY = b'{"error": "sk-upstream-3b1d failed on: the merger closes on Friday"}'


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
            self.send_header("content-length", str(len(SECRET_BODY)))
            self.end_headers()
            self.wfile.write(SECRET_BODY)
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


@contextmanager
def fake_embedding_server() -> Iterator[EmbeddingServer]:
    httpd = EmbeddingServer(("127.0.0.1", 0), Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()


def address(server: EmbeddingServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"
