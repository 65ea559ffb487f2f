"""Concurrent embedding requests are served together, each caller getting its own vectors."""

import threading
import time

import pytest

from archivist.embedding.batcher import BatchingEmbedder


class SlowCountingEmbedder:
    """Vectors that encode their text, so a mix-up between callers would show."""

    name, dim, max_tokens = "counting", 2, 256

    def __init__(self, fail_on: str | None = None) -> None:
        self.batches: list[int] = []
        self.fail_on = fail_on

    def embed(self, texts: list[str]) -> list[list[float]]:
        time.sleep(0.05)  # a model is slow; requests pile up meanwhile
        self.batches.append(len(texts))
        if self.fail_on in texts:
            raise RuntimeError("model failed")
        return [[float(len(t)), float(ord(t[0]))] for t in texts]

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(t) for t in texts]


def test_concurrent_callers_share_batches_and_get_their_own_vectors() -> None:
    inner = SlowCountingEmbedder()
    batcher = BatchingEmbedder(inner, max_batch=64)
    results: dict[int, list[list[float]]] = {}

    def call(i: int) -> None:
        texts = [chr(65 + i) * (n + 1) for n in range(3)]
        results[i] = batcher.embed(texts)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    for i in range(12):
        assert results[i] == [[float(n + 1), float(65 + i)] for n in range(3)]
    assert sum(inner.batches) == 36
    assert len(inner.batches) < 12, f"requests were not batched: {inner.batches}"
    assert max(inner.batches) <= 64


def test_a_failure_reaches_every_caller_of_that_batch_and_the_next_call_works() -> None:
    batcher = BatchingEmbedder(SlowCountingEmbedder(fail_on="boom"))
    with pytest.raises(RuntimeError, match="model failed"):
        batcher.embed(["boom"])
    assert batcher.embed(["fine"]) == [[4.0, float(ord("f"))]]
    assert batcher.embed([]) == []
