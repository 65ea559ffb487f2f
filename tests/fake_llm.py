"""A small OpenAI-compatible chat server on 127.0.0.1 for the failure cases a real model can't
be made to produce on demand: slowness, broken streams, 429s. Answers are built from the prompt's
first source, with a citation marker, like a well-behaved model would."""

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# What a failing upstream might send back: internals that must never reach a user.
FAILURE_SECRET = "sk-upstream-7f3a9c SECRET prompt echo: the merger closes on Friday"
# A sentence no test document supports: a date and a name the sources never mention.
INVENTION = "The Oslo office confirmed this on 9 March 2031 [1]."
FAILURE_BODY = json.dumps({"error": {"message": FAILURE_SECRET, "type": "server_error"}}).encode()


@dataclass
class Behaviour:
    # ok | slow | hang | break | refuse-once | fail; invent: cites a source that does not
    # exist; embellish: adds a sentence no source supports; fabricate: says only that sentence;
    # several: slow, in four supported sentences (answers stream a checked sentence at a time).
    mode: str = "ok"
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    behaviour: Behaviour


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        behaviour = self.server.behaviour
        behaviour.requests.append(body)
        if behaviour.mode == "refuse-once" and behaviour.refused == 0:
            behaviour.refused += 1
            self._plain(429, b'{"error": "slow down"}', {"Retry-After": "0"})
            return
        if behaviour.mode == "fail":
            self._plain(500, FAILURE_BODY, {"content-type": "application/json"})
            return
        if behaviour.mode == "hang":
            time.sleep(30)
            return
        system = body["messages"][0]["content"]
        first = re.search(r"\n\[1\] [^\n]*\n([^\n]+)", system)
        if body["messages"][0]["content"].startswith("Rewrite"):
            words = [f"{body['messages'][-1]['content'].split(chr(10))[-1][6:]}"]
        elif first:
            fact = first.group(1).split(".")[0]
            marker = "[7]" if behaviour.mode == "invent" else "[1]"
            answer = f"According to the documents, {fact} {marker}."
            if behaviour.mode == "embellish":
                answer += f" {INVENTION}"
            elif behaviour.mode == "fabricate":
                answer = INVENTION
            elif behaviour.mode == "several":
                leads = ("According to the documents", "As the source says", "In short", "Again")
                answer = " ".join(f"{lead}, {fact} {marker}." for lead in leads)
            words = [w + " " for w in answer.split()]
        else:
            words = ["I could not find it in the documents."]
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        for i, word in enumerate(words):
            if behaviour.mode == "break" and i == 2:
                self.wfile.write(b"0\r\n\r\n")  # end the body without [DONE]
                return
            self._chunk({"choices": [{"delta": {"content": word}, "finish_reason": None}]})
            if behaviour.mode in ("slow", "several"):
                time.sleep(behaviour.delay)
        self._chunk({"choices": [{"delta": {}, "finish_reason": "stop"}]})
        self._raw(b"data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, payload: dict[str, Any]) -> None:
        self._raw(f"data: {json.dumps(payload)}\n\n".encode())

    def _raw(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _plain(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def fake_llm_server() -> Iterator[tuple[str, Behaviour]]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.behaviour = Behaviour()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}/v1", server.behaviour
    finally:
        server.shutdown()
