"""The document index inside PostgreSQL: pgvector HNSW + BM25, fused, under the caller's RLS.

Both legs read `chunks` in the caller's transaction, so row-level security decides what can match;
pgvector's iterative index scan keeps reading the HNSW graph until enough *visible* rows are found.
BM25 (Okapi) scores the organization's postings of the query terms with its document frequencies
and lengths (all kept by triggers on `chunks`), then reads the best chunks back from `chunks`,
best first, until enough visible ones are found.
"""

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import bindparam, delete, func, insert, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from archivist.core.db import TENANT_SQL
from archivist.index.base import Hit, IndexedChunk, SearchFilters, SearchQuery
from archivist.models import Chunk

Ranked = tuple[uuid.UUID, float]
HIGHLIGHT_START, HIGHLIGHT_END = "\u27e6", "\u27e7"  # markers ts_headline puts around matches
# One posting's share of a chunk's BM25 score, from the query term's weight `w` and `stats` `s`.
BM25_PART = (
    "w.idf * p.tf * (CAST(:k1 AS float8) + 1) / (p.tf + CAST(:k1 AS float8)"
    " * (1 - CAST(:b AS float8) + CAST(:b AS float8) * p.length / s.avgdl))"
)


@dataclass(frozen=True)
class Tuning:
    """Chosen on SciFact's dev split (bench/quality.py); never on its held-back test split."""

    k1: float = 0.9
    b: float = 0.4
    candidates: int = 100  # per leg, before fusion
    probe_share: float = 0.05  # keyword candidates come from terms in at most this share of chunks
    # Hybrid fusion. "convex": each leg's scores are divided by its best one (both legs score 0 at
    # worst: BM25, and cosine similarity clipped at 0) and mixed, `keyword_share` of the keyword
    # leg's; a chunk missing from a leg cut at `candidates` gets that leg's lowest scaled score
    # (it scored at most that there), else 0. "rrf": reciprocal rank fusion, `weight / (rrf_k +
    # rank + 1)` summed over the legs.
    fusion: Literal["convex", "rrf"] = "convex"
    keyword_share: float = 0.45
    rrf_k: int = 10
    keyword_weight: float = 1.0
    semantic_weight: float = 1.0
    ef_search: int = 100


def _scaled(leg: list[Ranked], candidates: int) -> tuple[dict[uuid.UUID, float], float]:
    """A leg's scores divided by its best one, and what a chunk missing from the leg gets: the
    lowest of them if the leg was cut at `candidates` (the chunk scored at most that), else 0
    (the chunk did not match at all)."""
    high = max(score for _, score in leg)
    scaled = {c: max(score, 0.0) / high if high > 0 else 1.0 for c, score in leg}
    return scaled, min(scaled.values()) if len(leg) >= candidates else 0.0


def fuse(keyword: list[Ranked], semantic: list[Ranked], tuning: Tuning) -> list[uuid.UUID]:
    """The chunks of both legs, best first. Both legs' scores are higher-is-better here (the
    semantic leg's are cosine similarities). One leg alone keeps its own order."""
    if not keyword or not semantic:
        return [chunk_id for chunk_id, _ in keyword or semantic]
    fused: dict[uuid.UUID, float] = {}
    if tuning.fusion == "rrf":
        fused = defaultdict(float)
        for leg, weight in ((keyword, tuning.keyword_weight), (semantic, tuning.semantic_weight)):
            for rank, (chunk_id, _) in enumerate(leg):
                fused[chunk_id] += weight / (tuning.rrf_k + rank + 1)
    else:
        n = tuning.candidates
        (words, words_floor), (meaning, meaning_floor) = _scaled(keyword, n), _scaled(semantic, n)
        share = tuning.keyword_share
        for chunk_id in [*words, *meaning]:
            word_score = words.get(chunk_id, words_floor)
            meaning_score = meaning.get(chunk_id, meaning_floor)
            fused[chunk_id] = share * word_score + (1 - share) * meaning_score
    # Python's sort is stable: ties keep the keyword leg's order, then the semantic leg's.
    return sorted(fused, key=lambda chunk_id: fused[chunk_id], reverse=True)


def _filter_sql(filters: SearchFilters, params: dict[str, Any]) -> str:
    clauses = []
    if filters.document_ids:
        params["f_documents"] = list(filters.document_ids)
        clauses.append("c.document_id = ANY(:f_documents)")
    if filters.mime_types or filters.updated_after:
        conditions = ["d.id = c.document_id"]
        if filters.mime_types:
            params["f_mimes"] = list(filters.mime_types)
            conditions.append("f.mime_type = ANY(:f_mimes)")
        if filters.updated_after:
            params["f_after"] = filters.updated_after
            conditions.append("d.updated_at > :f_after")
        clauses.append(
            "EXISTS (SELECT 1 FROM documents d JOIN files f ON f.id = d.file_id WHERE "
            + " AND ".join(conditions)
            + ")"
        )
    return "".join(f" AND {clause}" for clause in clauses)


@asynccontextmanager
async def same_tenant(
    session: AsyncSession, fork: async_sessionmaker[AsyncSession]
) -> AsyncIterator[AsyncSession]:
    """A second transaction under exactly the row-level security context of `session` (its
    `app.user_id` and `app.org_id`), so both may see exactly the same rows."""
    user_id, org_id = (
        await session.execute(
            text("SELECT current_setting('app.user_id', true), current_setting('app.org_id', true)")
        )
    ).one()
    async with fork() as other, other.begin():
        await other.execute(TENANT_SQL, {"user_id": user_id or "", "org_id": org_id or ""})
        yield other


class PostgresIndex:
    def __init__(self, tuning: Tuning | None = None) -> None:
        self.tuning = tuning or Tuning()

    def index_chunks(
        self,
        session: Session,
        document_id: uuid.UUID,
        access: dict[str, object],
        chunks: list[IndexedChunk],
    ) -> None:
        session.execute(delete(Chunk).where(Chunk.document_id == document_id))
        if not chunks:
            return
        organization_id = access["organization_id"]
        statement = insert(Chunk).values(terms=func.bm25_terms(bindparam("index_text")))
        session.execute(
            statement,
            [
                {
                    "organization_id": organization_id,
                    "document_id": document_id,
                    "owner_id": access["owner_id"],
                    "visibility": access["visibility"],
                    "group_ids": access["group_ids"],
                    "ord": chunk.ord,
                    "text": chunk.text,
                    "page": chunk.page,
                    "embedding": chunk.embedding,
                    "index_text": chunk.index_text,
                }
                for chunk in chunks
            ],
        )

    async def delete_document(self, session: AsyncSession, document_id: uuid.UUID) -> None:
        await session.execute(delete(Chunk).where(Chunk.document_id == document_id))

    async def search(
        self, session: AsyncSession, query: SearchQuery, fork: async_sessionmaker[AsyncSession]
    ) -> list[Hit]:
        """A hybrid search runs its semantic leg on a second connection from `fork`, scoped to
        the same user and organization, while the keyword leg runs on `session`."""
        t = self.tuning
        keyword: list[Ranked] = []
        semantic: list[Ranked] = []
        if query.mode == "hybrid":
            # A task group: if one leg fails, the other is cancelled before its session closes.
            async with same_tenant(session, fork) as other, asyncio.TaskGroup() as legs:
                keyword_leg = legs.create_task(self._keyword(session, query))
                semantic_leg = legs.create_task(self._semantic(other, query))
            keyword, semantic = keyword_leg.result(), semantic_leg.result()
        elif query.mode == "keyword":
            keyword = await self._keyword(session, query)
        else:
            semantic = await self._semantic(session, query)
        # The order may use the legs' scores, but every mode *reports* a score from the final
        # rank alone: a raw (or scaled) BM25 score would leak the organization's document
        # frequencies -- how many chunks the caller may not see contain a word -- to anyone
        # who plants known chunks.
        order = fuse(keyword, [(c, 1.0 - distance) for c, distance in semantic], t)
        best = [(chunk_id, 1.0 / (t.rrf_k + rank + 1)) for rank, chunk_id in enumerate(order)]
        best = best[: query.limit]
        return await self._hits(session, query.text, best)

    async def _semantic(self, session: AsyncSession, query: SearchQuery) -> list[Ranked]:
        embedding = query.embedding
        if not isinstance(embedding, list):
            embedding = await embedding
        params: dict[str, Any] = {
            "embedding": str(embedding),
            "n": self.tuning.candidates,
            "ef": str(self.tuning.ef_search),
        }
        where = _filter_sql(query.filters, params)
        await session.execute(
            text(
                "SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true),"
                " set_config('hnsw.ef_search', :ef, true)"
            ),
            {"ef": params.pop("ef")},
        )
        # relaxed_order may return neighbours slightly out of order: sort the few we keep.
        rows = await session.execute(
            text(
                "WITH nearest AS MATERIALIZED ("
                " SELECT c.id, c.embedding <=> CAST(:embedding AS vector) AS distance"
                f" FROM chunks c WHERE true{where}"
                " ORDER BY c.embedding <=> CAST(:embedding AS vector) LIMIT :n)"
                " SELECT id, distance FROM nearest ORDER BY distance"
            ),
            params,
        )
        return [(row[0], float(row[1])) for row in rows]

    async def _keyword(self, session: AsyncSession, query: SearchQuery) -> list[Ranked]:
        params: dict[str, Any] = {
            "query": query.text,
            "n": self.tuning.candidates,
            "k1": self.tuning.k1,
            "b": self.tuning.b,
            "share": self.tuning.probe_share,
        }
        where = _filter_sql(query.filters, params)
        rows = await session.execute(
            text(
                "WITH stats AS ("
                "  SELECT chunk_count::float8 AS n,"
                "         token_count::float8 / greatest(chunk_count, 1) AS avgdl"
                "  FROM index_stats WHERE organization_id = app_org_id()),"
                " weights AS MATERIALIZED ("
                "  SELECT t.term, ln(1 + (s.n - t.df + 0.5) / (t.df + 0.5)) AS idf,"
                "         t.df <= s.n * :share AS selective"
                "  FROM term_stats t CROSS JOIN stats s"
                "  WHERE t.organization_id = app_org_id()"
                "    AND t.term = ANY(bm25_query_terms(:query))),"
                # Candidates are chunks holding one of the query's selective terms when it has
                # any: a chunk holding only very common terms cannot outrank one that also holds
                # a rare term often enough to matter. The selective terms' postings are read
                # whole; a common term's are looked up for the candidates only, since a common
                # term's postings can cover most of the corpus. Every candidate is scored with
                # all terms.
                " rare AS MATERIALIZED ("
                f"  SELECT p.chunk_id, {BM25_PART} AS part"
                "  FROM weights w CROSS JOIN stats s"
                "  JOIN postings p ON p.organization_id = app_org_id() AND p.term = w.term"
                "  WHERE w.selective"
                "   OR NOT (SELECT coalesce(bool_or(selective), false) FROM weights)),"
                " common AS MATERIALIZED ("
                f"  SELECT p.chunk_id, {BM25_PART} AS part"
                "  FROM postings p JOIN weights w ON w.term = p.term CROSS JOIN stats s"
                "  WHERE p.organization_id = app_org_id()"
                "   AND p.term = ANY(ARRAY(SELECT term FROM weights WHERE NOT selective))"
                "   AND p.chunk_id = ANY(ARRAY(SELECT DISTINCT chunk_id FROM rare))"
                "   AND (SELECT bool_or(selective) FROM weights)),"
                " scored AS MATERIALIZED ("
                "  SELECT chunk_id, sum(part) AS score"
                "  FROM (SELECT * FROM rare UNION ALL SELECT * FROM common) AS parts"
                "  GROUP BY chunk_id ORDER BY score DESC, chunk_id)"
                # Best first, each read from chunks under the caller's row-level security,
                # until enough visible ones are found.
                " SELECT s.chunk_id, s.score FROM scored s"
                " WHERE EXISTS (SELECT 1 FROM chunks c WHERE c.id = s.chunk_id"
                f"{where})"
                " ORDER BY s.score DESC, s.chunk_id LIMIT :n"
            ),
            params,
        )
        return [(row[0], float(row[1])) for row in rows]

    async def _hits(
        self, session: AsyncSession, query_text: str, best: list[tuple[uuid.UUID, float]]
    ) -> list[Hit]:
        if not best:
            return []
        rows = await session.execute(
            text(
                "SELECT c.id, c.document_id, d.file_id, d.title, f.filename, c.text, c.page,"
                " ts_headline('english', c.text,"
                "  coalesce((SELECT string_agg(quote_literal(term), ' | ')"
                "            FROM unnest(bm25_query_terms(:query)) AS term), '')::tsquery,"
                "  :options) AS snippet"
                " FROM chunks c JOIN documents d ON d.id = c.document_id"
                " JOIN files f ON f.id = d.file_id"
                " WHERE c.id = ANY(:ids)"
            ),
            {
                "query": query_text,
                "ids": [chunk_id for chunk_id, _ in best],
                "options": (
                    f"StartSel={HIGHLIGHT_START}, StopSel={HIGHLIGHT_END}, MaxWords=35,"
                    ' MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
                ),
            },
        )
        found = {row[0]: row for row in rows}
        hits = []
        for chunk_id, score in best:
            row = found.get(chunk_id)
            if row is None:  # deleted between the legs and now
                continue
            hits.append(
                Hit(
                    chunk_id=row[0],
                    document_id=row[1],
                    file_id=row[2],
                    title=row[3],
                    filename=row[4],
                    text=row[5],
                    snippet=row[7] or row[5][:240],
                    page=row[6],
                    score=score,
                )
            )
        return hits


postgres_index = PostgresIndex()
