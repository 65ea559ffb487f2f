"""Hybrid fusion grid on SciFact dev, from the index's own legs (their scores, not only ranks).

    .venv/bin/python -m bench.quality --data-dir DIR      # once: loads SciFact and keeps the stack
    .venv/bin/python -m bench.fusion --data-dir DIR [--candidates 100]

Runs each dev query's keyword and semantic legs once, as the search does (same SQL, under the
bench user's row-level security), then ranks every fusion setting below with the product's own
`fuse` and scores nDCG@10 over documents (a document ranks where its best chunk ranks). Dev only:
choose here, then measure the chosen build through the API with bench.quality (dev and test).
"""

import argparse
import asyncio
import contextlib
import os
import statistics
import uuid
from dataclasses import replace
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from archivist.core.config import get_settings
from archivist.core.db import driver_url, set_tenant
from archivist.embedded.stack_env import read_stack_env
from archivist.embedding.factory import create_query_embedder
from archivist.index.base import SearchQuery
from archivist.index.postgres import Ranked, Tuning, fuse, postgres_index
from bench import scifact
from bench.quality import ndcg_at_10
from bench.stack import running_stack

Legs = tuple[list[Ranked], list[Ranked]]  # keyword (BM25), semantic (cosine similarity)


async def run_legs(
    database_url: str, user: dict[str, str], queries: dict[str, str], vectors: list[list[float]]
) -> tuple[dict[str, Legs], dict[uuid.UUID, str]]:
    engine = create_async_engine(driver_url(database_url, "asyncpg"))
    sessions = async_sessionmaker(engine)
    legs: dict[str, Legs] = {}
    try:
        async with sessions() as session, session.begin():
            await set_tenant(session, uuid.UUID(user["id"]), uuid.UUID(user["organization_id"]))
            for (query_id, query), vector in zip(queries.items(), vectors, strict=True):
                search = SearchQuery(text=query, embedding=vector)
                keyword = await postgres_index._keyword(session, search)
                semantic = await postgres_index._semantic(session, search)
                legs[query_id] = keyword, [(c, 1.0 - distance) for c, distance in semantic]
    finally:
        await engine.dispose()
    return legs, await corpus_ids_of(database_url, user)


async def corpus_ids_of(database_url: str, user: dict[str, str]) -> dict[uuid.UUID, str]:
    """Chunk id -> SciFact corpus id (the uploaded file is named `<corpus id>.txt`)."""
    engine = create_async_engine(driver_url(database_url, "asyncpg"))
    try:
        async with async_sessionmaker(engine)() as session, session.begin():
            await set_tenant(session, uuid.UUID(user["id"]), uuid.UUID(user["organization_id"]))
            rows = await session.execute(
                text(
                    "SELECT c.id, f.filename FROM chunks c JOIN documents d ON d.id = c.document_id"
                    " JOIN files f ON f.id = d.file_id"
                )
            )
            return {row[0]: Path(row[1]).stem for row in rows}
    finally:
        await engine.dispose()


def ndcg(
    legs: dict[str, Legs],
    corpus_ids: dict[uuid.UUID, str],
    qrels: dict[str, dict[str, int]],
    tuning: Tuning,
) -> float:
    scores = []
    for query_id, (keyword, semantic) in legs.items():
        documents: list[str] = []
        for chunk_id in fuse(keyword, semantic, tuning):
            if corpus_ids[chunk_id] not in documents:
                documents.append(corpus_ids[chunk_id])
        scores.append(ndcg_at_10(documents, qrels[query_id]))
    return statistics.fmean(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True, help="a bench.quality stack")
    parser.add_argument(
        "--base", help="the URL of that stack if it is running already (else it is started)"
    )
    parser.add_argument("--candidates", type=int, default=Tuning().candidates)
    parser.add_argument(
        "--split",
        action="append",
        choices=("dev", "test"),
        help="dev (the default): the grid; test (the judging split): only rank fusion as before"
        " and the configured fusion, to report",
    )
    args = parser.parse_args()
    base = replace(Tuning(), candidates=args.candidates)
    postgres_index.tuning = base

    os.environ["ARCHIVIST_DATA_DIR"] = str(args.data_dir)  # the stack's model cache
    get_settings.cache_clear()
    embedder = create_query_embedder(get_settings())
    with contextlib.ExitStack() as running:
        url = args.base or running.enter_context(running_stack(args.data_dir)).base
        user = httpx.post(
            f"{url}/api/auth/login",
            json={"email": "bench@example.com", "password": "benchmark password"},
        ).json()["user"]
        database_url = read_stack_env(args.data_dir)["DATABASE_URL"]
        loaded = set(asyncio.run(corpus_ids_of(database_url, user)).values())
        for split in args.split or ["dev"]:
            queries = scifact.queries(split=split)
            # Only queries with a judged document in the index (all once SciFact is loaded).
            qrels = {q: r for q, r in scifact.qrels(split=split).items() if set(r) & loaded}
            queries = {q: queries[q] for q in qrels if q in queries}
            vectors = embedder.embed(list(queries.values()))
            legs, corpus_ids = asyncio.run(run_legs(database_url, user, queries, vectors))
            print(
                f"SciFact {split}: {len(legs)} queries, {len(loaded)} documents,"
                f" {args.candidates} candidates per leg"
            )
            report(legs, corpus_ids, qrels, base, grid=split == "dev")


def report(
    legs: dict[str, Legs],
    corpus_ids: dict[uuid.UUID, str],
    qrels: dict[str, dict[str, int]],
    base: Tuning,
    grid: bool,
) -> None:
    def cell(**changes: object) -> str:
        return f"{ndcg(legs, corpus_ids, qrels, replace(base, **changes)):.4f}"  # type: ignore[arg-type]

    print("  keyword alone", cell(keyword_share=1.0), " semantic alone", cell(keyword_share=0.0))
    print(
        f"  rrf k=10 (before): {cell(fusion='rrf', rrf_k=10, keyword_weight=1.0)}"
        f"  configured ({base.fusion}, keyword share {base.keyword_share}): {cell()}"
    )
    if not grid:
        return
    print("  rrf (k: keyword weight -> nDCG@10)")
    for k in (10, 30, 60):
        cells = [f"{w}: {cell(fusion='rrf', rrf_k=k, keyword_weight=w)}" for w in (0.75, 1, 1.25)]
        print(f"    k={k:<3} " + "  ".join(cells))
    print("  convex (keyword share -> nDCG@10)")
    shares = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
    print(
        "    "
        + "  ".join(f"{share}: {cell(fusion='convex', keyword_share=share)}" for share in shares)
    )


if __name__ == "__main__":
    main()
