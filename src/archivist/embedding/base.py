"""The `Embedder` interface: text in, L2-normalized vectors out (`dim` of them)."""

from typing import Protocol

# The bundled model's vector size, and the index's (see `archivist.embedding.dimension`).
EMBEDDING_DIM = 384


class EmbeddingServiceError(Exception):
    """A remote embedding server failed or answered something unusable (transient for the caller).

    Its message reaches the document's owner (the failed attempt): it names the kind of failure,
    never what the server sent (that goes to the log)."""


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
