"""all-MiniLM-L6-v2 on torch (sentence-transformers), fp32, in this process."""

import threading
from typing import Any

from archivist.embedding import model_files
from archivist.embedding.base import EMBEDDING_DIM
from archivist.embedding.batching import length_batches


class LocalEmbedder:
    name = "all-MiniLM-L6-v2"
    dim = EMBEDDING_DIM
    max_tokens = model_files.MAX_TOKENS

    def __init__(self, batch_size: int = 32) -> None:
        from sentence_transformers import SentenceTransformer

        self.batch_size = batch_size
        self._model: Any = SentenceTransformer(str(model_files.model_dir()), device="cpu")
        self._lock = threading.Lock()  # torch modules are not safe to call from two threads

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        lengths = [min(n + 2, self.max_tokens) for n in self.count_tokens(texts)]
        vectors: list[list[float]] = [[] for _ in texts]
        with self._lock:
            for batch in length_batches(lengths, self.batch_size):
                rows = self._model.encode(
                    [texts[i] for i in batch],
                    batch_size=len(batch),
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
                for i, row in zip(batch, rows, strict=True):
                    vectors[i] = row.tolist()
        return vectors

    def count_tokens(self, texts: list[str]) -> list[int]:
        return model_files.count_tokens(texts)
