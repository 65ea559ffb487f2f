"""The `Embedder` interface: text in, L2-normalized 384-d vectors out."""

from typing import Protocol

EMBEDDING_DIM = 384


class Embedder(Protocol):
    name: str
    dim: int
    max_tokens: int

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Embeddings of `texts`, in order, L2-normalized (cosine = dot product)."""
        ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Word-piece counts without special tokens, as the model's own tokenizer sees them."""
        ...
