"""Dense retrieval quality and speed, fp32 (torch) vs int8 (ONNX Runtime), on SciFact dev.

    python bench/embedding_quality.py [--limit-docs N] [--eval-dir DIR]

Embeds every document as title + "\\n" + text (truncated at 256 tokens, as the model does) with
both embedders, ranks by brute-force cosine, and reports nDCG@10, recall@100, chunks/s and the
cosine between the two embeddings of each text. Embeddings and timings are cached under
bench/.cache/, so a rerun only recomputes the metrics; delete the folder to re-time.
"""

import argparse
import gzip
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from archivist.embedding import model_files
from archivist.embedding.base import Embedder
from archivist.embedding.local import LocalEmbedder
from archivist.embedding.onnx import OnnxEmbedder

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "bench" / ".cache"
PROGRESS_EVERY = 512  # texts between progress lines, so a background run can be followed

Matrix = npt.NDArray[np.float32]


@dataclass
class Dataset:
    doc_ids: list[str]
    doc_texts: list[str]
    query_ids: list[str]
    query_texts: list[str]
    qrels: dict[str, dict[str, int]]


@dataclass
class Embedded:
    vectors: Matrix
    seconds: float  # time spent inside embed(), model loading and building excluded


@dataclass
class Run:
    docs: Embedded
    queries: Embedded
    ndcg_at_10: float
    recall_at_100: float


def load_dataset(eval_dir: Path, limit_docs: int | None) -> Dataset:
    doc_ids, doc_texts = [], []
    with gzip.open(eval_dir / "corpus.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            doc_ids.append(str(doc["_id"]))
            doc_texts.append(f"{doc['title']}\n{doc['text']}")
            if limit_docs is not None and len(doc_ids) >= limit_docs:
                break
    in_corpus = set(doc_ids)

    qrels: dict[str, dict[str, int]] = {}
    with open(eval_dir / "dev" / "qrels.tsv", encoding="utf-8") as f:
        next(f)  # header line
        for line in f:
            query_id, doc_id, score = line.rstrip("\n").split("\t")
            if int(score) > 0 and doc_id in in_corpus:
                qrels.setdefault(query_id, {})[doc_id] = int(score)

    query_ids, query_texts = [], []
    with open(eval_dir / "dev" / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            query = json.loads(line)
            if str(query["_id"]) in qrels:  # a query with nothing relevant cannot be scored
                query_ids.append(str(query["_id"]))
                query_texts.append(query["text"])
    return Dataset(doc_ids, doc_texts, query_ids, query_texts, qrels)


def embed_cached(
    label: str, kind: str, texts: list[str], get_embedder: Callable[[], Embedder]
) -> Embedded:
    # Keyed by the texts themselves, so a different --limit-docs never reuses a wrong file.
    digest = hashlib.sha1("\x00".join(texts).encode()).hexdigest()[:12]
    vectors_path = CACHE / f"{label}-{kind}-{len(texts)}-{digest}.npy"
    meta_path = vectors_path.with_suffix(".json")
    if vectors_path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        print(f"  {label} {kind}: cached ({vectors_path.name})", flush=True)
        return Embedded(np.load(vectors_path), float(meta["seconds"]))

    embedder = get_embedder()
    vectors = np.empty((len(texts), embedder.dim), dtype=np.float32)
    seconds = 0.0
    for start in range(0, len(texts), PROGRESS_EVERY):
        batch = texts[start : start + PROGRESS_EVERY]
        began = time.perf_counter()
        vectors[start : start + len(batch)] = embedder.embed(batch)
        seconds += time.perf_counter() - began
        done = start + len(batch)
        print(f"  {label} {kind}: {done}/{len(texts)} ({done / seconds:.1f}/s)", flush=True)

    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(vectors_path, vectors)
    meta_path.write_text(json.dumps({"seconds": seconds, "count": len(texts)}))
    return Embedded(vectors, seconds)


def lazy(factory: Callable[[], Embedder]) -> Callable[[], Embedder]:
    """Build the embedder only if some cache file is missing; build it once per run."""
    made: list[Embedder] = []

    def get() -> Embedder:
        if not made:
            embedder = factory()
            embedder.embed(["warm-up"])  # first-call costs (and the int8 build) stay untimed
            made.append(embedder)
        return made[0]

    return get


def evaluate(data: Dataset, docs: Matrix, queries: Matrix) -> tuple[float, float]:
    """Mean nDCG@10 and recall@100 (linear gain, as pytrec_eval computes them for BEIR)."""
    scores = queries @ docs.T
    k = min(100, scores.shape[1])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(scores, top, axis=1).argsort(axis=1)[:, ::-1]
    ranked = np.take_along_axis(top, order, axis=1)

    discounts = 1.0 / np.log2(np.arange(2, 12))
    ndcgs, recalls = [], []
    for row, query_id in enumerate(data.query_ids):
        relevant = data.qrels[query_id]
        hits = [data.doc_ids[i] for i in ranked[row]]
        gains = np.array([relevant.get(doc_id, 0) for doc_id in hits[:10]], dtype=np.float64)
        ideal = np.array(sorted(relevant.values(), reverse=True)[:10], dtype=np.float64)
        dcg = float(gains @ discounts[: len(gains)])
        ndcgs.append(dcg / float(ideal @ discounts[: len(ideal)]))
        recalls.append(len(relevant.keys() & set(hits)) / len(relevant))
    return float(np.mean(ndcgs)), float(np.mean(recalls))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared/eval/scifact")
    parser.add_argument("--limit-docs", type=int, default=None, help="first N documents only")
    args = parser.parse_args()

    data = load_dataset(args.eval_dir, args.limit_docs)
    tokens = np.array(model_files.count_tokens(data.doc_texts)) + 2  # with [CLS] and [SEP]
    print(
        f"{len(data.doc_texts)} documents ({np.mean(tokens > model_files.MAX_TOKENS):.0%} "
        f"truncated at {model_files.MAX_TOKENS} tokens), {len(data.query_ids)} queries with qrels",
        flush=True,
    )

    embedders = {
        "fp32": lazy(LocalEmbedder),
        "int8": lazy(lambda: OnnxEmbedder(CACHE / "models", quantized=True)),
    }
    runs: dict[str, Run] = {}
    for label, get in embedders.items():
        docs = embed_cached(label, "docs", data.doc_texts, get)
        queries = embed_cached(label, "queries", data.query_texts, get)
        runs[label] = Run(docs, queries, *evaluate(data, docs.vectors, queries.vectors))

    print(f"\n{'':6}{'nDCG@10':>10}{'recall@100':>12}{'docs/s':>10}")
    for label, run in runs.items():
        rate = len(data.doc_texts) / run.docs.seconds
        print(f"{label:6}{run.ndcg_at_10:>10.4f}{run.recall_at_100:>12.4f}{rate:>10.2f}")
    fp32, int8 = runs["fp32"], runs["int8"]
    print(f"nDCG@10 int8 - fp32: {int8.ndcg_at_10 - fp32.ndcg_at_10:+.4f}")
    pairs = (("documents", fp32.docs, int8.docs), ("queries", fp32.queries, int8.queries))
    for kind, a, b in pairs:
        cosines = np.sum(a.vectors * b.vectors, axis=1)
        print(f"cosine int8 vs fp32, {kind}: mean {cosines.mean():.4f}, min {cosines.min():.4f}")


if __name__ == "__main__":
    main()
