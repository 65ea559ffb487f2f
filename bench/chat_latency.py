"""Chat: time from the request to the first `sources` event (before the model's first token).

    .venv/bin/python -m bench.chat_latency [--docs 300] [--questions 40]

Loads SciFact abstracts into a fresh stack (the bundled offline model answers), then asks dev
questions in one session each and reports p50/p95 of request → `sources` and → `done`.
"""

import argparse
import asyncio
import time

import httpx

from bench.ingest import upload_all, wait_indexed
from bench.scifact import DEFAULT_DIR, corpus, dev_queries
from bench.stack import register, running_stack


async def ask(client: httpx.AsyncClient, question: str) -> tuple[float, float]:
    session = (await client.post("/api/chat/sessions", json={})).json()["id"]
    started = time.perf_counter()
    first = 0.0
    async with client.stream(
        "POST", f"/api/chat/sessions/{session}/messages", json={"content": question}
    ) as response:
        async for line in response.aiter_lines():
            if line == "event: sources" and not first:
                first = time.perf_counter() - started
    return first * 1000, (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--questions", type=int, default=40)
    args = parser.parse_args()
    docs = corpus(DEFAULT_DIR, args.docs)
    questions = list(dev_queries(DEFAULT_DIR).values())[: args.questions]
    with running_stack(ARCHIVIST_AUTH__API_REQUESTS_PER_MINUTE="1000000") as stack:
        headers = register(stack.base)
        asyncio.run(upload_all(stack.base, headers, docs, 4))
        wait_indexed(stack.base, headers, len(docs))

        async def run() -> list[tuple[float, float]]:
            async with httpx.AsyncClient(base_url=stack.base, headers=headers, timeout=300) as c:
                await ask(c, "warm up")  # loads the model once
                return [await ask(c, q) for q in questions]

        timings = asyncio.run(run())
    firsts = sorted(t[0] for t in timings)
    totals = sorted(t[1] for t in timings)
    print(
        f"request -> sources: p50 {firsts[len(firsts) // 2]:.0f} ms  p95 {firsts[int(len(firsts) * 0.95)]:.0f} ms"
    )
    print(
        f"request -> done:    p50 {totals[len(totals) // 2]:.0f} ms  p95 {totals[int(len(totals) * 0.95)]:.0f} ms"
    )


if __name__ == "__main__":
    main()
