"""Load: many people at once against `archivist up`, with Locust.

    .venv/bin/python -m bench.load [--users 100] [--seconds 60] [--llm extractive|auto]

Starts a fresh stack, makes 5 organizations of 20 people (invited, so sign-up throttling does
not apply) with a few shared documents each, then runs `--users` simulated people for
`--seconds`, each mixing sign-in, search, chat, document lists, uploads and `/api/me`.
Reports throughput, p50/p95 per endpoint, errors (5xx counted apart), uploads that were
accepted but never became `indexed`, and the stack's memory before and after.

In the same run, it compares an authenticated light endpoint (`GET /api/me`) with a bare
FastAPI hello-world under the same uvicorn and the same load (goal: ratio >= 0.5).
"""

# Locust patches the standard library with gevent: it must be imported first.
from locust import FastHttpUser, between, constant, task  # isort: skip
from locust.env import Environment  # isort: skip

import argparse
import itertools
import random
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gevent
import httpx
import psutil

from archivist.embedded.ports import free_port
from bench.light import HELLO
from bench.stack import Stack, running_stack

PASSWORD = "load test passphrase"
ORGS, PEOPLE_PER_ORG, DOCS_PER_ORG = 5, 20, 6
WORDS = [
    "policy",
    "leave",
    "travel",
    "budget",
    "security",
    "laptop",
    "vacation",
    "onboarding",
    "benefits",
    "parental",
    "expense",
    "report",
    "quarterly",
    "roadmap",
    "incident",
    "backup",
    "retention",
    "privacy",
    "contract",
    "vendor",
    "salary",
    "review",
    "hiring",
    "office",
    "remote",
    "holiday",
    "training",
    "compliance",
    "audit",
    "invoice",
]
QUESTIONS = [
    "How long is parental leave?",
    "What is the travel expense policy?",
    "When are quarterly reviews?",
    "How do I report a security incident?",
    "What is the data retention period?",
]


@dataclass
class Person:
    email: str
    token: str


@dataclass
class Run:
    people: list[Person] = field(default_factory=list)
    accepted: list[tuple[str, str]] = field(default_factory=list)  # (token, document id)


RUN = Run()


def sentence(rng: random.Random, words: int = 60) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def prepare(base: str) -> None:
    """Organizations, people and a few shared documents each, before the clock starts."""
    rng = random.Random(7)
    with httpx.Client(base_url=base, timeout=60) as client:
        for org in range(ORGS):
            admin_email = f"admin{org}@load.test"
            admin = client.post(
                "/api/auth/register",
                json={"email": admin_email, "password": PASSWORD, "organization_name": f"O{org}"},
            )
            admin.raise_for_status()
            headers = {"Authorization": f"Bearer {admin.json()['access_token']}"}
            RUN.people.append(Person(admin_email, admin.json()["access_token"]))
            for person in range(PEOPLE_PER_ORG - 1):
                invite = client.post(
                    "/api/organization/invites", json={"role": "member"}, headers=headers
                )
                invite.raise_for_status()
                email = f"p{org}-{person}@load.test"
                joined = client.post(
                    "/api/auth/register",
                    json={
                        "email": email,
                        "password": PASSWORD,
                        "invite_token": invite.json()["invite_token"],
                    },
                )
                joined.raise_for_status()
                RUN.people.append(Person(email, joined.json()["access_token"]))
            for doc in range(DOCS_PER_ORG):
                text = "\n\n".join(sentence(rng) for _ in range(8))
                client.post(
                    "/api/files",
                    files={"file": (f"handbook-{doc}.txt", text.encode(), "text/plain")},
                    data={"visibility": "organization"},
                    headers=headers,
                ).raise_for_status()
        deadline = time.monotonic() + 300
        admin_headers = {"Authorization": f"Bearer {RUN.people[0].token}"}
        # A fresh stack builds its query embedder once: not while the clock runs.
        client.post("/api/search", json={"query": "warm up"}, headers=admin_headers, timeout=600)
        while time.monotonic() < deadline:
            stats = client.get("/api/documents/stats", headers=admin_headers)
            if stats.status_code == 200 and not _pending(stats.json()):
                break
            time.sleep(1)


def _pending(stats: dict[str, Any]) -> int:
    counts = stats["by_status"]
    return int(counts.get("queued", 0)) + int(counts.get("processing", 0))


_next_person = itertools.count()


class Employee(FastHttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.person = RUN.people[next(_next_person) % len(RUN.people)]
        self.rng = random.Random(id(self))

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.person.token}"}

    @task(2)
    def sign_in(self) -> None:
        response = self.client.post(
            "/api/auth/login",
            json={"email": self.person.email, "password": PASSWORD},
            name="POST /api/auth/login",
        )
        if response.status_code == 200:
            self.person.token = response.json()["access_token"]

    @task(6)
    def search(self) -> None:
        query = " ".join(self.rng.sample(WORDS, 3))
        self.client.post(
            "/api/search", json={"query": query}, headers=self.auth, name="POST /api/search"
        )

    @task(2)
    def chat(self) -> None:
        session = self.client.post(
            "/api/chat/sessions", json={}, headers=self.auth, name="POST /api/chat/sessions"
        )
        if session.status_code != 201:
            return
        self.client.post(
            f"/api/chat/sessions/{session.json()['id']}/messages",
            json={"content": self.rng.choice(QUESTIONS), "stream": False},
            headers=self.auth,
            name="POST /api/chat/sessions/{id}/messages",
        )

    @task(4)
    def documents(self) -> None:
        self.client.get("/api/documents", headers=self.auth, name="GET /api/documents")

    @task(4)
    def me(self) -> None:
        self.client.get("/api/me", headers=self.auth, name="GET /api/me")

    @task(1)
    def upload(self) -> None:
        text = sentence(self.rng, 120)
        response = self.client.post(
            "/api/files",
            files={"file": ("note.txt", text.encode(), "text/plain")},
            headers=self.auth,
            name="POST /api/files",
        )
        if response.status_code == 202:
            RUN.accepted.append((self.person.token, response.json()["document_id"]))


class LightOnly(FastHttpUser):
    """Closed loop on one endpoint: throughput, not a realistic mix."""

    wait_time = constant(0)
    path = "/api/me"

    def on_start(self) -> None:
        self.person = RUN.people[next(_next_person) % len(RUN.people)]

    @task
    def light(self) -> None:
        headers = {"Authorization": f"Bearer {self.person.token}"} if RUN.people else {}
        self.client.get(self.path, headers=headers, name=f"GET {self.path}")


def drive(user: type[FastHttpUser], host: str, users: int, seconds: float) -> Environment:
    env = Environment(user_classes=[user], host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=max(10, users // 5))
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    return env


def stack_rss_mb(stack: Stack) -> dict[str, float]:
    """Proportional memory (PSS) of each kind of process of the stack, in MB: shared pages
    (PostgreSQL's shared buffers, say) are split among the processes that map them, where RSS
    would count them once per connection."""
    root = psutil.Process(stack.process.pid)
    totals: dict[str, float] = {}
    for proc in [root, *root.children(recursive=True)]:
        try:
            rss, cmdline = proc.memory_full_info().pss, " ".join(proc.cmdline())
        except psutil.Error:
            continue
        role = next(
            (r for r in ("api", "worker", "beat", "up") if f"archivist.cli {r}" in cmdline),
            "postgres" if "postgres" in cmdline else proc.name(),
        )
        totals[role] = totals.get(role, 0.0) + rss / 1e6
    return totals


def bare_hello_rps(users: int, seconds: float) -> float:
    """A bare FastAPI app under the same uvicorn (one process, uvloop/httptools as installed)."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HELLO + f"import uvicorn; uvicorn.run(app, port={port}, log_level='warning')",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/hello", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        LightOnly.path = "/hello"
        env = drive(LightOnly, base, users, seconds)
        return float(env.stats.total.num_requests / seconds)
    finally:
        server.terminate()
        server.wait(10)


def table(env: Environment) -> list[str]:
    rows = [
        f"| {'endpoint':<42} | {'requests':>8} | {'req/s':>6} | {'p50 ms':>6} | {'p95 ms':>6} "
        f"| {'errors':>6} |",
        f"|{'-' * 44}|{'-' * 10}|{'-' * 8}|{'-' * 8}|{'-' * 8}|{'-' * 8}|",
    ]
    entries = sorted(env.stats.entries.values(), key=lambda e: e.name)
    for entry in [*entries, env.stats.total]:
        rows.append(
            f"| {entry.name:<42} | {entry.num_requests:>8} | {entry.total_rps:>6.1f} "
            f"| {entry.get_response_time_percentile(0.5):>6.0f} "
            f"| {entry.get_response_time_percentile(0.95):>6.0f} | {entry.num_failures:>6} |"
        )
    return rows


def server_errors(env: Environment) -> dict[str, int]:
    found: dict[str, int] = {}
    for error in env.stats.errors.values():
        text = str(error.error)
        if any(f"{code}" in text for code in range(500, 600)):
            found[f"{error.method} {error.name}: {text[:80]}"] = error.occurrences
    return found


def lost_uploads(base: str, timeout: float = 300) -> tuple[int, int]:
    """Uploads answered 202 whose document is missing, or not final in time: (lost, failed)."""
    deadline = time.monotonic() + timeout
    pending = list(RUN.accepted)
    failed = 0
    with httpx.Client(base_url=base, timeout=30) as client:
        while pending and time.monotonic() < deadline:
            still = []
            for token, document_id in pending:
                response = client.get(
                    f"/api/documents/{document_id}", headers={"Authorization": f"Bearer {token}"}
                )
                status = response.json().get("status") if response.status_code == 200 else None
                if status in ("queued", "processing") or response.status_code == 401:
                    still.append((token, document_id))
                elif status == "failed":
                    failed += 1
                elif status != "indexed":
                    still.append((token, document_id))
            pending = still
            if pending:
                time.sleep(2)
    return len(pending), failed


def main(argv: list[str] | None = None, report: Callable[[str], None] = print) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--llm", default="extractive", help="ARCHIVIST_LLM__PROVIDER for the run")
    args = parser.parse_args(argv)
    env_vars = {
        "ARCHIVIST_LLM__PROVIDER": args.llm,
        # The closed-loop comparison sends far more than a person would per minute.
        "ARCHIVIST_AUTH__API_REQUESTS_PER_MINUTE": "1000000",
        "ARCHIVIST_LOG_LEVEL": "WARNING",
    }
    with running_stack(**env_vars) as stack:
        prepare(stack.base)
        time.sleep(5)  # let indexing settle
        before, cpu_before = stack_rss_mb(stack), stack.cpu_seconds()
        started = time.monotonic()
        mixed = drive(Employee, stack.base, args.users, args.seconds)
        elapsed = time.monotonic() - started
        after, cpu_after = stack_rss_mb(stack), stack.cpu_seconds()
        lost, failed = lost_uploads(stack.base)
        report(f"## Mixed load: {args.users} users for {elapsed:.0f} s (LLM: {args.llm})\n")
        for row in table(mixed):
            report(row)
        report(
            f"\nthroughput {mixed.stats.total.total_rps:.1f} req/s; "
            f"5xx: {sum(server_errors(mixed).values())} {server_errors(mixed) or ''}"
        )
        report(f"uploads accepted {len(RUN.accepted)}, lost {lost}, failed {failed}")
        for role in sorted(after):
            report(
                f"PSS {role}: {before.get(role, 0):.0f} MB -> {after[role]:.0f} MB "
                f"({after[role] - before.get(role, 0):+.0f} MB)"
            )
        report(f"PSS total: {sum(before.values()):.0f} MB -> {sum(after.values()):.0f} MB")
        busy = {r: (cpu_after[r] - cpu_before.get(r, 0)) / elapsed for r in cpu_after}
        report("CPU (cores busy): " + ", ".join(f"{r} {c:.2f}" for r, c in sorted(busy.items())))
        light_seconds = 20
        LightOnly.path = "/api/me"
        light = drive(LightOnly, stack.base, 32, light_seconds)
        me_rps = light.stats.total.num_requests / light_seconds
    hello_rps = bare_hello_rps(32, light_seconds)
    report(
        f"\nGET /api/me {me_rps:.0f} req/s vs bare FastAPI hello-world {hello_rps:.0f} req/s: "
        f"ratio {me_rps / hello_rps:.2f} (goal >= 0.5)"
    )


if __name__ == "__main__":
    main()
