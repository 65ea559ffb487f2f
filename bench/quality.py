"""Retrieval quality on SciFact dev, through the product's own search API.

    .venv/bin/python -m bench.quality [--limit-queries N] [--keep-stack DIR]

Loads the corpus into a fresh `archivist up` over HTTP (title as the document title), then for each
dev query asks `POST /api/search` in three modes — keyword (BM25) alone, semantic alone, hybrid —
and scores the top 10 *documents* (a document ranks where its best chunk ranks). Reports nDCG@10,
recall@100 and search latency p50/p95 per mode. Tune on dev only; the test split stays unseen.
"""

import argparse
import asyncio
import math
import statistics
import time
from pathlib import Path

import httpx

from bench.ingest import upload_all, wait_indexed
from bench.scifact import DEFAULT_DIR, corpus, dev_qrels, dev_queries
from bench.stack import register, running_stack

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


def fuse(keyword: Ranking, semantic: Ranking, k: int, keyword_weight: float) -> Ranking:
    """Reciprocal-rank fusion of the two legs, as the product does it (for weight tuning)."""
    scores: dict[tuple[str, str], float] = {}
    for weight, ranking in ((keyword_weight, keyword), (1.0, semantic)):
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank + 1)
    return sorted(scores, key=lambda item: scores[item], reverse=True)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit-docs", type=int, default=None)
    parser.add_argument("--limit-queries", type=int, default=None)
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()

    docs = corpus(args.eval_dir, args.limit_docs)
    queries = dev_queries(args.eval_dir)
    qrels = dev_qrels(args.eval_dir)
    known = {d.id for d in docs}
    qrels = {q: r for q, r in qrels.items() if q in queries and set(r) & known}
    if args.limit_queries:
        qrels = dict(list(qrels.items())[: args.limit_queries])
    print(f"SciFact dev: {len(docs)} documents, {len(qrels)} judged queries")
    with running_stack(ARCHIVIST_AUTH__API_REQUESTS_PER_MINUTE="1000000") as stack:
        headers = register(stack.base)
        started = time.perf_counter()
        asyncio.run(upload_all(stack.base, headers, docs, 4))
        wait_indexed(stack.base, headers, len(docs))
        print(f"loaded in {time.perf_counter() - started:.0f} s")
        ids = document_ids(stack.base, headers)
        results = {}
        for mode in MODES:
            ranked, latencies = asyncio.run(
                rankings(stack.base, headers, ids, mode, queries, qrels)
            )
            results[mode] = ranked
            ndcg, recall = score(ranked, qrels)
            p50, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
            print(
                f"{mode:>8}: nDCG@10 {ndcg:.4f}  recall@100 {recall:.4f}"
                f"  latency p50 {p50:.1f} ms  p95 {p95:.1f} ms"
            )
    print("fusion grid on dev (RRF k, keyword weight -> nDCG@10):")
    for k in (10, 30, 60, 100):
        cells = []
        for weight in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0):
            fused = {
                q: fuse(results["keyword"][q], results["semantic"][q], k, weight) for q in qrels
            }
            cells.append(f"{weight}: {score(fused, qrels)[0]:.4f}")
        print(f"  k={k:<3} " + "  ".join(cells))


if __name__ == "__main__":
    main()
