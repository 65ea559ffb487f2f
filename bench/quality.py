"""Retrieval quality on SciFact, through the product's own search API.

    .venv/bin/python -m bench.quality [--split dev] [--split test] [--data-dir DIR]

Loads the corpus into a fresh `archivist up` over HTTP (title as the document title), then for each
query of the split asks `POST /api/search` in three modes — keyword (BM25) alone, semantic alone,
hybrid — and scores the top 10 *documents* (a document ranks where its best chunk ranks). Reports nDCG@10,
recall@100 and search latency p50/p95 per mode. Tune on dev only (hybrid fusion: bench.fusion on
the stack kept with --data-dir); run test to report a figure.
"""

import argparse
import asyncio
import math
import statistics
import time
from pathlib import Path

import httpx

from bench import scifact
from bench.ingest import upload_all, wait_indexed
from bench.scifact import DEFAULT_DIR, corpus
from bench.stack import login, register, running_stack

MODES = ("keyword", "semantic", "hybrid")


def ndcg_at_10(ranked: list[str], relevant: dict[str, int]) -> float:
    dcg = sum(relevant.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:10]))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(gain / math.log2(i + 2) for i, gain in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at_100(ranked: list[str], relevant: dict[str, int]) -> float:
    hits = len(set(ranked[:100]) & {d for d, g in relevant.items() if g > 0})
    return hits / max(1, sum(1 for g in relevant.values() if g > 0))


Ranking = list[tuple[str, str]]  # (chunk id, corpus id), best first


async def rankings(
    base: str,
    headers: dict[str, str],
    id_by_document: dict[str, str],
    mode: str,
    queries: dict[str, str],
    qrels: dict[str, dict[str, int]],
) -> tuple[dict[str, Ranking], list[float]]:
    """Each judged query's top 100 chunks in `mode`, and the search latencies (ms)."""
    ranked: dict[str, Ranking] = {}
    latencies = []
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        for query_id in qrels:
            started = time.perf_counter()
            response = await client.post(
                "/api/search", json={"query": queries[query_id], "limit": 100, "mode": mode}
            )
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            ranked[query_id] = [
                (r["chunk_id"], id_by_document[r["document_id"]])
                for r in response.json()["results"]
            ]
    return ranked, sorted(latencies)


def score(ranked: dict[str, Ranking], qrels: dict[str, dict[str, int]]) -> tuple[float, float]:
    ndcgs, recalls = [], []
    for query_id, relevant in qrels.items():
        documents: list[str] = []
        for _, corpus_id in ranked[query_id]:
            if corpus_id not in documents:  # a document ranks where its best chunk ranks
                documents.append(corpus_id)
        ndcgs.append(ndcg_at_10(documents, relevant))
        recalls.append(recall_at_100(documents, relevant))
    return statistics.fmean(ndcgs), statistics.fmean(recalls)


def document_ids(base: str, headers: dict[str, str]) -> dict[str, str]:
    """Product document id -> SciFact corpus id (the uploaded file is named `<corpus id>.txt`)."""
    mapping: dict[str, str] = {}
    cursor = None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{base}/api/documents", params=params, headers=headers).json()
        for document in page["items"]:
            mapping[document["id"]] = Path(document["filename"]).stem
        cursor = page["next_cursor"]
        if not cursor:
            return mapping


def judged(
    eval_dir: Path, split: str, known: set[str], limit: int | None
) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    texts = scifact.queries(eval_dir, split)
    judgements = scifact.qrels(eval_dir, split)
    judgements = {q: r for q, r in judgements.items() if q in texts and set(r) & known}
    if limit:
        judgements = dict(list(judgements.items())[:limit])
    return texts, judgements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit-docs", type=int, default=None)
    parser.add_argument("--limit-queries", type=int, default=None)
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument(
        "--split",
        action="append",
        choices=("dev", "test"),
        help="dev (the default; tune on it) and/or test (the judging split: report it only)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="run the stack on this data dir and keep it; the corpus is loaded only if it is empty"
        " (measure another build of the search on the same index without reloading)",
    )
    parser.add_argument("--mode", action="append", choices=MODES, help="default: all three")
    args = parser.parse_args()
    splits = args.split or ["dev"]
    modes = args.mode or list(MODES)

    docs = corpus(args.eval_dir, args.limit_docs)
    known = {d.id for d in docs}
    env = {"ARCHIVIST_AUTH__API_REQUESTS_PER_MINUTE": "1000000"}
    with running_stack(args.data_dir, **env) as stack:
        try:
            headers = register(stack.base)
        except httpx.HTTPStatusError:  # an earlier run's stack: its user exists already
            headers = login(stack.base)
        loaded = len(document_ids(stack.base, headers))
        if loaded < len(docs):
            if loaded:
                raise SystemExit(f"{args.data_dir} holds {loaded} documents, not {len(docs)}")
            started = time.perf_counter()
            asyncio.run(upload_all(stack.base, headers, docs, 4))
            wait_indexed(stack.base, headers, len(docs))
            print(f"loaded in {time.perf_counter() - started:.0f} s")
        else:  # an earlier run's uploads: indexing may still be under way
            wait_indexed(stack.base, headers, len(docs))
        ids = document_ids(stack.base, headers)
        for split in splits:
            queries, qrels = judged(args.eval_dir, split, known, args.limit_queries)
            print(f"SciFact {split}: {len(docs)} documents, {len(qrels)} judged queries")
            for mode in modes:
                ranked, latencies = asyncio.run(
                    rankings(stack.base, headers, ids, mode, queries, qrels)
                )
                ndcg, recall = score(ranked, qrels)
                p50, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
                print(
                    f"{mode:>8}: nDCG@10 {ndcg:.4f}  recall@100 {recall:.4f}"
                    f"  latency p50 {p50:.1f} ms  p95 {p95:.1f} ms",
                    flush=True,
                )


if __name__ == "__main__":
    main()
