"""Ingestion throughput: SciFact through the real pipeline vs the raw embedder on the same chunks.

    .venv/bin/python -m bench.ingest [--limit N] [--concurrency 4]

Starts a fresh `archivist up`, uploads every abstract over HTTP (title as the document title), waits
until all are indexed, then embeds the very same chunks with the bare embedder in this process.
Reports chunks/s of both and their ratio (goal: pipeline >= 0.85 x raw).
"""

import argparse
import asyncio
import time
from pathlib import Path

import httpx

from archivist.core.config import get_settings
from archivist.embedding.factory import create_embedder
from archivist.ingestion.chunking import PageText, chunk_document
from bench.scifact import DEFAULT_DIR, Doc, corpus
from bench.stack import register, running_stack


async def upload_all(base: str, headers: dict[str, str], docs: list[Doc], concurrency: int) -> None:
    queue: asyncio.Queue[Doc] = asyncio.Queue()
    for doc in docs:
        queue.put_nowait(doc)

    async def uploader(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            doc = queue.get_nowait()
            response = await client.post(
                "/api/files",
                files={"file": (f"{doc.id}.txt", doc.text.encode(), "text/plain")},
                data={"title": doc.title},
            )
            response.raise_for_status()

    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        await asyncio.gather(*(uploader(client) for _ in range(concurrency)))


def wait_indexed(base: str, headers: dict[str, str], total: int) -> dict[str, object]:
    last = -1
    while True:
        response = httpx.get(f"{base}/api/documents/stats", headers=headers)
        response.raise_for_status()
        stats = response.json()
        done = stats["by_status"]["indexed"] + stats["by_status"]["failed"]
        if done != last:
            print(f"  {done}/{total} documents final, {stats['chunks']} chunks", flush=True)
            last = done
        if done >= total:
            return dict(stats)
        time.sleep(2)


def raw_embedder_rate(docs: list[Doc]) -> tuple[int, float, float]:
    embedder = create_embedder(get_settings())
    texts = [
        chunk.embed_text
        for doc in docs
        for chunk in chunk_document(
            [PageText(None, doc.text)], doc.title, embedder.count_tokens, window=embedder.max_tokens
        )
    ]
    embedder.embed(texts[:32])  # warm-up
    started, cpu = time.perf_counter(), time.process_time()
    embedder.embed(texts)
    return len(texts), len(texts) / (time.perf_counter() - started), time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="only the first N abstracts")
    parser.add_argument("--concurrency", type=int, default=4, help="parallel uploads")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()

    docs = corpus(args.eval_dir, args.limit)
    print(f"SciFact: {len(docs)} abstracts")
    # Thousands of uploads from one user would hit the per-user rate limit meant for people.
    with running_stack(ARCHIVIST_AUTH__API_REQUESTS_PER_MINUTE="1000000") as stack:
        base = stack.base
        headers = register(base)
        cpu_before = stack.cpu_seconds()
        started = time.perf_counter()
        asyncio.run(upload_all(base, headers, docs, args.concurrency))
        uploaded = time.perf_counter() - started
        print(f"uploaded in {uploaded:.1f} s ({len(docs) / uploaded:.0f} files/s)")
        stats = wait_indexed(base, headers, len(docs))
        elapsed = time.perf_counter() - started
        cpu_after = stack.cpu_seconds()
    chunks = int(stats["chunks"])  # type: ignore[call-overload]
    pipeline_rate = chunks / elapsed
    raw_chunks, raw_rate, raw_cpu = raw_embedder_rate(docs)
    print(f"pipeline: {chunks} chunks in {elapsed:.1f} s = {pipeline_rate:.2f} chunks/s")
    print(f"raw embedder: {raw_chunks} chunks = {raw_rate:.2f} chunks/s ({raw_cpu:.1f} CPU s)")
    print(f"ratio: {pipeline_rate / raw_rate:.3f} (goal >= 0.85)")
    print(f"failed documents: {stats['by_status']['failed']}")  # type: ignore[index]
    spent = {k: cpu_after[k] - cpu_before.get(k, 0.0) for k in cpu_after}
    print(
        "CPU seconds during the run: " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(spent.items()))
    )


if __name__ == "__main__":
    main()
