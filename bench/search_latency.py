"""Search latency at 100,000 chunks, 3 organizations, isolation on.

    .venv/bin/python -m bench.search_latency [--chunks 100000] [--queries 200] [--data-dir DIR]
        [--vacuum]

Chunks are synthetic: text drawn from SciFact's vocabulary (so BM25 sees realistic term
statistics) and vectors mixed from real embeddings of SciFact passages (so the HNSW graph sees a
realistic distribution). They are written straight into the database as each organization's
users (row-level security applies), with the HNSW index built once at the end. The script then
times `POST /api/search` through the API, and the same search run bare on a database connection
(same tenant, embedding precomputed; with the configured fusion and with rank fusion, alternating),
in one run, and reports p50/p95 of each.
"""

import argparse
import asyncio
import json
import random
import statistics
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
import psycopg

from archivist.core.config import get_settings
from archivist.embedded.stack_env import read_stack_env
from archivist.embedding.factory import create_embedder
from archivist.index.base import SearchQuery
from archivist.index.postgres import PostgresIndex, Tuning, postgres_index
from bench.scifact import DEFAULT_DIR, corpus, dev_queries
from bench.stack import login, running_stack, sign_up

ORGS = 3


def synthetic(docs: list[str], count: int, rng: random.Random) -> list[str]:
    words = [w for doc in docs for w in doc.split()]
    return [" ".join(rng.choices(words, k=rng.randint(60, 180))) for _ in range(count)]


def mixed_vectors(base: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    picks = rng.integers(0, len(base), size=(count, 3))
    weights = rng.dirichlet([1.0, 1.0, 1.0], size=count)[:, :, None]
    vectors = (base[picks] * weights).sum(axis=1) + rng.normal(0, 0.02, (count, base.shape[1]))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def owner_url(data_dir: Path, app_url: str) -> str:
    owner_password = (data_dir / "secrets" / "postgres-passwords").read_text().split()[0]
    host = app_url.split("@", 1)[1]
    return f"postgresql://archivist_owner:{owner_password}@{host}"


def load(
    app_url: str,
    admin_url: str,
    users: list[tuple[str, str]],
    texts: list[str],
    vectors: np.ndarray,
) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP INDEX IF EXISTS ix_chunks_embedding_hnsw")
    per_org = len(texts) // len(users)
    with psycopg.connect(app_url) as conn:
        for index, (user_id, org_id) in enumerate(users):
            start = index * per_org
            for first in range(start, start + per_org, 1000):
                last = min(first + 1000, start + per_org)
                with conn.transaction():
                    conn.execute(
                        "SELECT set_config('app.user_id', %s, true),"
                        " set_config('app.org_id', %s, true)",
                        (user_id, org_id),
                    )
                    documents = []
                    for doc_start in range(first, last, 50):  # a document every 50 chunks
                        visibility = ("private", "organization")[(doc_start - start) // 50 % 2]
                        documents.append((uuid.uuid4(), uuid.uuid4(), doc_start, visibility))
                    for file_id, document_id, doc_start, visibility in documents:
                        conn.execute(
                            "INSERT INTO files (id, organization_id, owner_id, storage_key,"
                            " filename, mime_type, size_bytes, sha256) VALUES"
                            " (%s, %s, %s, 'synthetic', %s, 'text/plain', 1, '')",
                            (file_id, org_id, user_id, f"doc-{doc_start}.txt"),
                        )
                        conn.execute(
                            "INSERT INTO documents (id, organization_id, owner_id, file_id,"
                            " title, visibility, status, chunk_count)"
                            " VALUES (%s, %s, %s, %s, %s, %s, 'indexed', 50)",
                            (document_id, org_id, user_id, file_id, f"Doc {doc_start}", visibility),
                        )
                    # One statement per 1,000 chunks: the statistics triggers run once for all.
                    owners = [documents[(p - first) // 50] for p in range(first, last)]
                    conn.execute(
                        "INSERT INTO chunks (organization_id, document_id, owner_id, visibility,"
                        " group_ids, ord, text, embedding, terms)"
                        " SELECT %s, d, %s, v, '{}', o, t, e::vector, bm25_terms(t)"
                        " FROM unnest(%s::uuid[], %s::text[], %s::int[], %s::text[], %s::text[])"
                        " AS x(d, v, o, t, e)",
                        (
                            org_id,
                            user_id,
                            [owner[1] for owner in owners],
                            [owner[3] for owner in owners],
                            [(p - start) % 50 for p in range(first, last)],
                            texts[first:last],
                            [str(vectors[p].tolist()) for p in range(first, last)],
                        ),
                    )
            print(f"  organization {index + 1}: {per_org} chunks", flush=True)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute(
            "CREATE INDEX ix_chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops)"
        )
        conn.execute("ANALYZE")
        print(f"  HNSW index built in {time.perf_counter() - started:.0f} s", flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def bare(
    app_url: str, user: tuple[str, str], queries: list[str], embeddings: list[list[float]]
) -> dict[str, list[float]]:
    """The product's search on a bare connection, with its fusion and with rank fusion (RRF, the
    one before convex fusion): both run every query, each going first for half of them."""
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from archivist.core.db import driver_url, set_tenant

    engine = create_async_engine(driver_url(app_url, "asyncpg"))
    sessions = async_sessionmaker(engine)
    indexes = {"fusion": postgres_index, "rrf": PostgresIndex(Tuning(fusion="rrf"))}
    timings: dict[str, list[float]] = {name: [] for name in indexes}
    for i, (text, embedding) in enumerate(zip(queries, embeddings, strict=True)):
        names = list(indexes)[:: 1 if i % 2 else -1]  # each goes first for half the queries
        for name in names:
            index = indexes[name]
            async with sessions() as session, session.begin():
                started = time.perf_counter()
                await set_tenant(session, uuid.UUID(user[0]), uuid.UUID(user[1]))
                await index.search(
                    session, SearchQuery(text=text, embedding=embedding), fork=sessions
                )
                timings[name].append((time.perf_counter() - started) * 1000)
    await engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--passages", type=int, default=2000, help="real passages to take words and vectors from"
    )
    parser.add_argument(
        "--data-dir", type=Path, help="keep the loaded stack here; a later run reuses it"
    )
    parser.add_argument(
        "--vacuum", action="store_true", help="VACUUM ANALYZE after loading, before timing"
    )
    args = parser.parse_args()
    rng = random.Random(7)
    docs = corpus(DEFAULT_DIR, args.passages)
    embedder = create_embedder(get_settings())
    queries = list(dev_queries(DEFAULT_DIR).values())[: args.queries]
    query_embeddings = embedder.embed(queries)
    loaded = args.data_dir is not None and (args.data_dir / "bench-users.json").exists()

    with running_stack(args.data_dir, ARCHIVIST_AUTH__API_REQUESTS_PER_MINUTE="1000000") as stack:
        data_dir = stack.data_dir
        app_url = read_stack_env(data_dir)["DATABASE_URL"]
        if loaded:
            users = [tuple(u) for u in json.loads((data_dir / "bench-users.json").read_text())]
            print(f"reusing the stack loaded in {data_dir}", flush=True)
        else:
            signed_up = [
                sign_up(stack.base, f"org{i}@example.com", f"Org {i}") for i in range(ORGS)
            ]
            users = [(u["user"]["id"], u["user"]["organization_id"]) for u in signed_up]
            print(f"embedding {len(docs)} real passages to mix vectors from…", flush=True)
            base = np.array(embedder.embed([f"{d.title}\n{d.text}" for d in docs]))
            texts = synthetic([d.text for d in docs], args.chunks, rng)
            vectors = mixed_vectors(base, args.chunks, np.random.default_rng(7))
            print(f"loading {args.chunks} chunks into {ORGS} organizations…", flush=True)
            started = time.perf_counter()
            load(app_url, owner_url(data_dir, app_url), users, texts, vectors)
            print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
            (data_dir / "bench-users.json").write_text(json.dumps(users))
        if args.vacuum:
            started = time.perf_counter()
            with psycopg.connect(owner_url(data_dir, app_url), autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
            print(f"vacuumed in {time.perf_counter() - started:.0f} s", flush=True)

        headers = login(stack.base, "org0@example.com")
        api = []
        with httpx.Client(base_url=stack.base, headers=headers, timeout=30) as client:
            for query in queries[:10]:  # warm-up
                client.post("/api/search", json={"query": query})
            for query in queries:
                began = time.perf_counter()
                client.post("/api/search", json={"query": query}).raise_for_status()
                api.append((time.perf_counter() - began) * 1000)
        sql = asyncio.run(bare(app_url, users[0], queries, query_embeddings))
    print(
        f"API  /api/search: p50 {percentile(api, 0.5):.1f} ms  p95 {percentile(api, 0.95):.1f} ms"
    )
    for name, timings in sql.items():
        print(
            f"bare SQL (RLS on), {name}: p50 {percentile(timings, 0.5):.1f} ms"
            f"  p95 {percentile(timings, 0.95):.1f} ms"
        )
    print(f"API / bare at p50: {statistics.median(api) / statistics.median(sql['fusion']):.2f}")


if __name__ == "__main__":
    main()
