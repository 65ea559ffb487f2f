"""The start-up check that the embedding model's vectors fit the index.

A model whose vectors have another size than the index's embedding column would fail every
upload (and every search); API and worker find out before they serve anything instead.
"""

import asyncio
import re

from sqlalchemy import Engine, text
from sqlalchemy.ext.asyncio import AsyncEngine

from archivist.core.config import Settings
from archivist.embedding.base import EmbeddingServiceError
from archivist.embedding.factory import model_dimension

# The declared type of the chunks' embedding column, e.g. `vector(384)`, from the catalog.
INDEX_TYPE_SQL = text(
    "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
    " WHERE attrelid = to_regclass('chunks') AND attname = 'embedding' AND NOT attisdropped"
)


class EmbedderRefused(RuntimeError):
    """The configured embedding model cannot fill the index (or could not be asked)."""


async def check_embedding_dimension(settings: Settings, engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        declared = (await conn.execute(INDEX_TYPE_SQL)).scalar()
    # A remote model is asked over the network: not on the event loop.
    await asyncio.to_thread(_compare, settings, declared)


def check_embedding_dimension_sync(settings: Settings, engine: Engine) -> None:
    with engine.connect() as conn:
        declared = conn.execute(INDEX_TYPE_SQL).scalar()
    _compare(settings, declared)


def _compare(settings: Settings, declared: str | None) -> None:
    match = re.fullmatch(r"vector\((\d+)\)", declared or "")
    if match is None:
        raise EmbedderRefused(
            "refusing to start: the database has no index of embeddings to check the model "
            f"against (chunks.embedding is {declared or 'missing'}); run `archivist migrate`"
        )
    index = int(match.group(1))
    config = settings.embedding
    model = f"{config.model!r}" + (f" at {config.base_url}" if config.provider == "openai" else "")
    try:
        produced = model_dimension(settings)
    except ValueError as exc:  # an unknown provider
        raise EmbedderRefused(f"refusing to start: {exc}") from exc
    except EmbeddingServiceError as exc:
        # Starting anyway would only move the failure to the first upload or search.
        raise EmbedderRefused(
            f"refusing to start: could not ask the embedding model {model} how long its vectors "
            f"are ({exc}); start the embedding server, or fix ARCHIVIST_EMBEDDING__BASE_URL"
        ) from exc
    if produced != index:
        raise EmbedderRefused(
            f"refusing to start: the embedding model {model} makes {produced}-dimensional "
            f"vectors, but the index holds {index}-dimensional ones (chunks.embedding is "
            f"{declared}). Choose a model that makes {index}-dimensional vectors, or rebuild the "
            f"index for {produced} dimensions (every document embedded again)."
        )
    if config.dim != index:
        raise EmbedderRefused(
            f"refusing to start: ARCHIVIST_EMBEDDING__DIM is {config.dim}, but the embedding "
            f"model {model} and the index both use {index} dimensions; set it to {index}"
        )
