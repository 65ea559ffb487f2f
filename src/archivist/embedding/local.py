"""all-MiniLM-L6-v2 on torch (sentence-transformers), fp32, in this process."""

import threading
from typing import Any

from archivist.embedding import model_files
from archivist.embedding.base import EMBEDDING_DIM


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
        with self._lock:
            vectors = self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return [row.tolist() for row in vectors]

    def count_tokens(self, texts: list[str]) -> list[int]:
        return model_files.count_tokens(texts)
