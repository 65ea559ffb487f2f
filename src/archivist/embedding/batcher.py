"""Embedding requests from concurrent tasks, served together.

A worker runs several documents at once (threads); each asks for its few chunks. One batch of many
chunks runs far faster per chunk on a CPU than many batches of two, so requests that arrive while
the model is busy are queued and embedded as one batch when it frees up.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from archivist.embedding.base import Embedder


@dataclass
class _Request:
    texts: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    vectors: list[list[float]] = field(default_factory=list)
    error: BaseException | None = None


class BatchingEmbedder:
    def __init__(
        self, inner: Embedder, max_batch: int = 128, gather_seconds: float = 0.005
    ) -> None:
        self.inner = inner
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens
        self.max_batch = max_batch
        self.gather_seconds = gather_seconds
        self._pending: list[_Request] = []
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self.inner.count_tokens(texts)

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        request = _Request(texts)
        with self._ready:
            self._pending.append(request)
            self._ready.notify()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="embedder", daemon=True)
                self._thread.start()
        request.done.wait()
        if request.error is not None:
            raise request.error
        return request.vectors

    def _serve(self) -> None:
        while True:
            with self._ready:
                while not self._pending:
                    self._ready.wait()
                # A moment for requests that are on their way, then take all that came.
                self._ready.wait_for(lambda: self._size() >= self.max_batch, self.gather_seconds)
                batch = self._take()
            self._run(batch, self.inner.embed)

    def _size(self) -> int:
        return sum(len(r.texts) for r in self._pending)

    def _take(self) -> list[_Request]:
        taken: list[_Request] = []
        count = 0
        while self._pending and (
            not taken or count + len(self._pending[0].texts) <= self.max_batch
        ):
            request = self._pending.pop(0)
            taken.append(request)
            count += len(request.texts)
        return taken

    @staticmethod
    def _run(batch: list[_Request], embed: Callable[[list[str]], list[list[float]]]) -> None:
        try:
            vectors = embed([text for request in batch for text in request.texts])
            start = 0
            for request in batch:
                request.vectors = vectors[start : start + len(request.texts)]
                start += len(request.texts)
        except BaseException as exc:  # every waiting caller learns of the failure
            for request in batch:
                request.error = exc
        finally:
            for request in batch:
                request.done.set()
