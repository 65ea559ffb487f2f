"""Backup and point-in-time restore of the embedded stack, on SciFact, with the real CLI.

    .venv/bin/python -m bench.backup [--limit N] [--keep DIR]

Starts `archivist up`, uploads the abstracts and waits until all are indexed; then, the stack
running, times `archivist backup`; notes a time T; deletes a few documents and uploads a couple
of new ones; stops the stack (Ctrl-C); times `archivist restore --to T`; starts the stack again
and checks that the deleted documents are back (indexed, same chunks, same bytes), the new ones
gone, and search answers. One deleted document's stored file is removed before the restore, as
the retention purge would, and must come back from the backups' copy. Prints a table of the
figures and the checks.

`--keep DIR` runs on DIR and keeps it: a later run on the same DIR skips the upload (a restored
stack holds the corpus as it was). Old backups there are pruned to the newest, so a run measures
one more backup on a stack that already has some (stored files are then hard-linked already).
"""

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg

from archivist.embedded import postgres as embedded_postgres
from archivist.embedded.backup import list_backups
from archivist.embedded.stack_env import read_stack_env
from bench.ingest import upload_all, wait_indexed
from bench.scifact import DEFAULT_DIR, Doc, corpus
from bench.stack import register, running_stack

# Thousands of uploads from one user would hit the per-user rate limit meant for people.
STACK_ENV = {"ARCHIVIST_AUTH__API_REQUESTS_PER_MINUTE": "1000000"}
EMAIL = "bench@example.com"
PASSWORD = "benchmark password"  # what bench.stack.register signs up with
DELETED = 3
CANARY = "zyxwvutsrqp"  # a word no abstract holds: only the new documents match it


@dataclass
class Kept:
    """A document as it was before it was deleted."""

    id: str
    file_id: str
    title: str
    chunk_count: int
    content: bytes


@dataclass
class Figures:
    documents: int = 0
    failed: int = 0
    chunks: int = 0
    database_bytes: int = 0
    backup_seconds: float = 0.0
    backup_bytes: int = 0
    backup_files: int = 0
    wal_archive_bytes: int = 0
    restore_seconds: float = 0.0
    checks: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def sign_in(base: str) -> dict[str, str]:
    """The bench user: signed up on a new stack, signed in on a kept one."""
    try:
        return register(base, EMAIL)
    except httpx.HTTPStatusError as exc:
        if exc.response.status_code != 409:
            raise
    response = httpx.post(f"{base}/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def cli(data_dir: Path, *args: str) -> tuple[float, str]:
    """Runs `archivist ARGS` on the data dir; returns its wall time and output."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "archivist.cli", *args],
        env={**_environ(), "ARCHIVIST_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    output = (done.stdout + done.stderr).strip()
    print("\n".join(f"    {line}" for line in output.splitlines()), flush=True)
    if done.returncode != 0:
        raise RuntimeError(f"archivist {' '.join(args)} failed ({done.returncode})")
    return seconds, output


def _environ() -> dict[str, str]:
    # The bench's own shell may point at another database; the CLI must see the embedded one.
    return {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}


def database_bytes(data_dir: Path) -> int:
    port = urlsplit(read_stack_env(data_dir)["DATABASE_URL"]).port or 5432
    password = embedded_postgres.load_credentials(data_dir / "secrets").superuser_password
    dsn = embedded_postgres.superuser_dsn(
        data_dir / "postgres", port, password, embedded_postgres.DATABASE
    )
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    assert row is not None
    return int(row[0])


def ingest(client: httpx.Client, base: str, headers: dict[str, str], docs: list[Doc]) -> None:
    held = client.get("/api/documents/stats").json()["documents"]
    if held == len(docs):
        print(f"the kept stack already holds {held} documents; not uploading")
        return
    if held:
        raise SystemExit(f"the kept stack holds {held} documents, not {len(docs)}: use another DIR")
    started = time.perf_counter()
    asyncio.run(upload_all(base, headers, docs, concurrency=4))
    print(f"uploaded {len(docs)} in {time.perf_counter() - started:.1f} s; indexing…", flush=True)


def pick(client: httpx.Client, count: int) -> list[Kept]:
    """`count` indexed documents, with their stored bytes."""
    page = client.get("/api/documents", params={"limit": 50, "status": "indexed"}).json()
    items = page["items"]
    chosen = [items[i * (len(items) - 1) // max(count - 1, 1)] for i in range(count)]
    kept = []
    for doc in chosen:
        download = client.get(f"/api/files/{doc['file_id']}/download")
        download.raise_for_status()
        kept.append(
            Kept(doc["id"], doc["file_id"], doc["title"], doc["chunk_count"], download.content)
        )
    return kept


def upload_canaries(client: httpx.Client, count: int) -> list[str]:
    ids = []
    for n in range(count):
        text = f"Backup bench canary {n}: {CANARY} written after the restore target.\n" * 20
        response = client.post(
            "/api/files",
            files={"file": (f"canary-{n}.txt", text.encode(), "text/plain")},
            data={"title": f"Canary {n} {CANARY}"},
        )
        response.raise_for_status()
        ids.append(response.json()["document_id"])
    deadline = time.monotonic() + 300
    while True:
        found = client.post("/api/documents/statuses", json={"ids": ids}).json()["items"]
        if all(d["status"] in ("indexed", "failed") for d in found) and len(found) == len(ids):
            return ids
        if time.monotonic() > deadline:
            raise RuntimeError("the new documents were not indexed within 5 minutes")
        time.sleep(1)


def purge_stored_file(data_dir: Path, file_id: str) -> Path:
    """Removes a deleted document's stored file, as `files.purge` does once the retention window
    has passed: the restore must then bring it back from the backups' copy."""
    (path,) = (data_dir / "objects").glob(f"orgs/*/files/{file_id}/*")
    path.unlink()
    return path


def search(client: httpx.Client, query: str, **extra: object) -> list[dict[str, object]]:
    response = client.post("/api/search", json={"query": query, "limit": 10, **extra})
    response.raise_for_status()
    return list(response.json()["results"])


def check_restored(
    client: httpx.Client, kept: list[Kept], canaries: list[str], before: dict[str, object]
) -> dict[str, bool]:
    checks: dict[str, bool] = {}
    docs = [client.get(f"/api/documents/{k.id}") for k in kept]
    checks["deleted documents are back, indexed"] = all(
        r.status_code == 200 and r.json()["status"] == "indexed" for r in docs
    )
    checks["with the same chunk counts"] = all(
        r.status_code == 200 and r.json()["chunk_count"] == k.chunk_count
        for r, k in zip(docs, kept, strict=True)
    )
    downloads = [client.get(f"/api/files/{k.file_id}/download") for k in kept]
    checks["and byte-identical downloads"] = all(
        r.status_code == 200 and r.content == k.content
        for r, k in zip(downloads, kept, strict=True)
    )
    checks["new documents are gone"] = all(
        client.get(f"/api/documents/{i}").status_code == 404 for i in canaries
    )
    checks["search finds no new document"] = not search(client, CANARY, mode="keyword")
    checks["search finds each restored document"] = all(
        search(client, k.title[:100], filters={"document_ids": [k.id]}) for k in kept
    )
    checks["search answers (hybrid)"] = bool(search(client, kept[0].title[:100]))
    stats = client.get("/api/documents/stats").json()
    checks["document and chunk totals as at T"] = (
        stats["documents"] == before["documents"] and stats["chunks"] == before["chunks"]
    )
    return checks


def run(data_dir: Path, docs: list[Doc], figures: Figures) -> None:
    with running_stack(data_dir, **STACK_ENV) as stack:
        headers = sign_in(stack.base)
        with httpx.Client(base_url=stack.base, headers=headers, timeout=60) as client:
            ingest(client, stack.base, headers, docs)
            before = wait_indexed(stack.base, headers, len(docs))
            figures.documents, figures.chunks = int(before["documents"]), int(before["chunks"])  # type: ignore[call-overload]
            figures.failed = int(before["by_status"]["failed"])  # type: ignore[index]
            figures.database_bytes = database_bytes(data_dir)

            print("archivist backup (stack running):", flush=True)
            figures.backup_seconds, _ = cli(data_dir, "backup")
            made = list_backups(data_dir)[-1]
            figures.backup_bytes, figures.backup_files = made.size_bytes, made.objects
            wal = data_dir / "backups" / "wal"
            figures.wal_archive_bytes = sum(p.stat().st_size for p in wal.iterdir())

            target = datetime.now(UTC)
            time.sleep(1)  # the changes below commit strictly after T
            kept = pick(client, DELETED)
            for k in kept:
                client.delete(f"/api/documents/{k.id}").raise_for_status()
            canaries = upload_canaries(client, 2)
            print(f"T = {target.isoformat()}; deleted {len(kept)}, added {len(canaries)}")
    # Leaving the block stopped the stack as bench.stack does: Ctrl-C, as a person would.
    purged = purge_stored_file(data_dir, kept[0].file_id)

    print(f"archivist restore --to {target.isoformat()}:", flush=True)
    figures.restore_seconds, _ = cli(data_dir, "restore", "--to", target.isoformat())

    with running_stack(data_dir, **STACK_ENV) as stack:
        headers = sign_in(stack.base)
        with httpx.Client(base_url=stack.base, headers=headers, timeout=60) as client:
            figures.checks = check_restored(client, kept, canaries, before)
    figures.checks["purged file brought back from the backup"] = purged.is_file()


def report(figures: Figures) -> None:
    mib = 2**20
    rows = [
        ("documents", f"{figures.documents}"),
        ("of which failed", f"{figures.failed}"),
        ("chunks", f"{figures.chunks}"),
        ("database size", f"{figures.database_bytes / mib:.1f} MiB"),
        ("backup (stack running)", f"{figures.backup_seconds:.1f} s"),
        ("base backup size", f"{figures.backup_bytes / mib:.1f} MiB"),
        ("stored files copied", f"{figures.backup_files}"),
        ("WAL archive (all history)", f"{figures.wal_archive_bytes / mib:.1f} MiB"),
        ("restore --to T", f"{figures.restore_seconds:.1f} s"),
        *((check, "ok" if passed else "FAILED") for check, passed in figures.checks.items()),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="only the first N abstracts")
    parser.add_argument(
        "--keep", type=Path, default=None, help="run on this data dir and keep it, for reuse"
    )
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()

    docs = corpus(args.eval_dir, args.limit)
    print(f"SciFact: {len(docs)} abstracts")
    data_dir = (
        args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="archivist-bench-"))
    )
    figures = Figures()
    try:
        if args.keep and list_backups(data_dir):
            # Earlier runs' backups: keep one, so the kept dir does not grow run after run.
            cli(data_dir, "backup", "--prune", "1")
        run(data_dir, docs, figures)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            # The pre-restore data directory the CLI keeps: a full copy of the database.
            for old in data_dir.glob("postgres.before-restore-*"):
                shutil.rmtree(old, ignore_errors=True)
    report(figures)
    if not all(figures.checks.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
