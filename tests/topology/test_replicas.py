"""Multi-replica operation: the production topology (two API replicas behind a round-robin
proxy, two docprocessing workers, a primary+kg worker, beat; PostgreSQL, Redis and S3 as outside
services) behaves for users like one server, and every role stops without losing work.

Tests run in file order on one stack; the last two stop parts of it. Figures are printed (-s).
"""

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.script import ScriptDirectory

from archivist.core.db import Base
from archivist.core.migrate import alembic_config
from tests.factories.accounts import PASSWORD, Account, register_org
from tests.factories.documents import upload, upload_indexed, wait_final
from tests.s3server import S3Server
from tests.topology.stack import (
    DRAIN_SECONDS,
    LOGIN_FAILURES_PER_EMAIL,
    Topology,
    production_topology,
)

UPLOADS = 50


@pytest.fixture(scope="module")
def topology(s3_server: S3Server) -> Iterator[Topology]:
    started = time.monotonic()
    with production_topology(s3_server) as stack:
        print(f"\n[topology] stack up in {time.monotonic() - started:.1f} s")
        yield stack


@pytest.fixture(autouse=True)
def calm_llm(topology: Topology) -> None:
    topology.behaviour.mode, topology.behaviour.delay = "ok", 0.0


@asynccontextmanager
async def client(base: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client that opens a new connection per request, so the proxy spreads its requests."""
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        yield http


def test_two_migrations_started_together_leave_one_correct_schema(topology: Topology) -> None:
    """Two `archivist migrate` started at the same moment on an empty database (two deploy
    hooks, two replicas) both report success, and the database is at the one latest revision
    with exactly the schema the models describe."""
    assert [run.returncode for run in topology.migrations] == [0, 0], [
        run.output[-2000:] for run in topology.migrations
    ]
    config = alembic_config(topology.services.migration_url)
    head = ScriptDirectory.from_config(config).get_current_head()
    assert topology.query("SELECT version_num FROM alembic_version") == [(head,)]
    tables = {name for (name,) in topology.query("SELECT tablename FROM pg_tables")}
    assert {table.name for table in Base.metadata.sorted_tables} <= tables
    command.check(config)  # raises if the database and the models differ


async def test_a_session_started_on_one_replica_works_on_the_other(topology: Topology) -> None:
    """Signed in on one replica, the user is known to the other, by token and by the web UI's
    cookie (a write with its CSRF header too), and through the proxy whichever replica answers."""
    one_url, two_url = topology.api.values()
    async with client(one_url) as one, client(two_url) as two, client(topology.base) as proxy:
        owner = await register_org(one, "Replicas")
        me = await two.get("/api/me", headers=owner.headers)
        assert me.status_code == 200, me.text
        assert me.json()["id"] == owner.id

        login = await two.post("/api/auth/login", json={"email": owner.email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        async with httpx.AsyncClient(base_url=one_url, cookies=login.cookies) as browser:
            csrf = {"X-CSRF-Token": login.cookies["archivist_csrf"]}
            created = await browser.post("/api/chat/sessions", json={}, headers=csrf)
            assert created.status_code == 201, created.text

        before = topology.proxy.connections.copy() if topology.proxy else None
        answers = [
            (await proxy.get("/api/me", headers=owner.headers)).status_code for _ in range(8)
        ]
        assert answers == [200] * 8
        assert before is not None and topology.proxy is not None
        spread = topology.proxy.connections - before
        assert len(spread) == 2 and min(spread.values()) >= 3, spread
        print(f"\n[topology] 8 proxied requests per replica: {dict(spread)}")


async def test_logout_on_one_replica_is_refused_on_the_other_at_once(topology: Topology) -> None:
    """After signing out on one replica, the same token is refused (401) by the other replica
    on the very next request: there is no per-replica cache of sessions."""
    one_url, two_url = topology.api.values()
    async with client(one_url) as one, client(two_url) as two:
        owner = await register_org(one, "Logout")
        assert (await one.get("/api/me", headers=owner.headers)).status_code == 200
        assert (await two.get("/api/me", headers=owner.headers)).status_code == 200
        out = await two.post("/api/auth/logout", headers=owner.headers)
        assert out.status_code == 204, out.text
        assert (await one.get("/api/me", headers=owner.headers)).status_code == 401
        assert (await two.get("/api/me", headers=owner.headers)).status_code == 401


async def test_failed_sign_ins_are_counted_across_replicas(topology: Topology) -> None:
    """The limit on failed sign-ins per account holds however attempts are spread: alternating
    between replicas, the first `limit` wrong passwords get 401, then both replicas answer 429
    with Retry-After (a per-replica count would allow twice as many guesses)."""
    one_url, two_url = topology.api.values()
    async with client(one_url) as one, client(two_url) as two:
        owner = await register_org(one, "Limits")
        wrong = {"email": owner.email, "password": "not the password"}
        answers = [
            (await (one if i % 2 == 0 else two).post("/api/auth/login", json=wrong)).status_code
            for i in range(LOGIN_FAILURES_PER_EMAIL)
        ]
        assert answers == [401] * LOGIN_FAILURES_PER_EMAIL
        for replica in (one, two):
            refused = await replica.post("/api/auth/login", json=wrong)
            assert refused.status_code == 429, refused.text
            assert refused.headers["retry-after"].isdigit()


async def stream_answer(
    http: httpx.AsyncClient, account: Account, question: str, on_first_delta: Any = None
) -> list[tuple[float, str, Any]]:
    """Ask in a new session; every SSE event with the moment it arrived."""
    created = await http.post("/api/chat/sessions", json={}, headers=account.headers)
    assert created.status_code == 201, created.text
    events: list[tuple[float, str, Any]] = []
    name = ""
    async with http.stream(
        "POST",
        f"/api/chat/sessions/{created.json()['id']}/messages",
        json={"content": question},
        headers=account.headers,
    ) as response:
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                events.append((time.monotonic(), name, json.loads(line[len("data: ") :])))
                if name == "delta" and on_first_delta is not None:
                    await on_first_delta()
                    on_first_delta = None
    return events


async def test_chat_answers_stream_through_the_proxy(topology: Topology) -> None:
    """Through the load balancer the answer arrives sentence by sentence as the model writes
    and the check passes it (not all at once at the end), then the stored message with its
    citation."""
    async with client(topology.base) as http:
        owner = await register_org(http, "Streaming")
        await upload_indexed(http, owner, "owls.txt", b"Barn owls swallow their prey whole.")
        topology.behaviour.mode, topology.behaviour.delay = "several", 0.1
        events = await stream_answer(http, owner, "What do barn owls do with prey?")
    names = [name for _, name, _ in events]
    assert names[0] == "sources" and names[-1] == "done", names
    deltas = [at for at, name, _ in events if name == "delta"]
    assert len(deltas) >= 4, names
    assert deltas[-1] - deltas[0] >= 0.1 * 5 * (len(deltas) - 2), deltas  # 5+ words a sentence
    assert "[1]" in events[-1][2]["content"]


async def test_fifty_uploads_are_indexed_despite_a_killed_worker(topology: Topology) -> None:
    """50 files uploaded through the proxy (both replicas take some) all end `indexed` although
    one of the two docprocessing workers is killed (SIGKILL) in the middle, with documents in
    hand: no document is lost and none has a chunk twice."""
    async with client(topology.base) as http:
        owner = await register_org(http, "Bulk")
        before = topology.proxy.connections.copy() if topology.proxy else None
        victim = topology.processes["docprocessing-1"]
        started = time.monotonic()

        async def one(i: int) -> str:
            content = f"Memo {i}: shipment {i * 7919} of lapis arrives on day {i}.".encode()
            response = await upload(http, owner, f"memo-{i:02d}.txt", content, "text/plain")
            assert response.status_code == 202, response.text
            return str(response.json()["document_id"])

        gate = asyncio.Semaphore(6)

        async def gated(i: int) -> str:
            async with gate:
                return await one(i)

        uploads = asyncio.gather(*(gated(i) for i in range(UPLOADS)))
        killed_at_indexed = await _kill_when_busy(topology, "docprocessing-1", owner.org_id)
        ids = await uploads
        accepted = time.monotonic() - started
        assert topology.proxy is not None and before is not None
        spread = topology.proxy.connections - before
        assert len(spread) == 2 and min(spread.values()) >= UPLOADS // 5, spread
        assert victim.poll() == -signal.SIGKILL
        for document_id in ids:
            document = await wait_final(http, owner, document_id, timeout=150)
            assert document["status"] == "indexed", document
        indexed = time.monotonic() - started
        listed = await http.get("/api/documents", params={"limit": 200}, headers=owner.headers)
        assert sorted(d["filename"] for d in listed.json()["items"]) == [
            f"memo-{i:02d}.txt" for i in range(UPLOADS)
        ]

    org = owner.org_id
    assert topology.query(
        "SELECT count(*), count(DISTINCT (document_id, ord)), count(DISTINCT document_id)"
        " FROM chunks WHERE organization_id = %s",
        org,
    ) == [(UPLOADS, UPLOADS, UPLOADS)]
    attempts = topology.query(
        "SELECT worker, outcome, count(*) FROM ingestion_attempts WHERE organization_id = %s"
        " GROUP BY 1, 2 ORDER BY 1, 2",
        org,
    )
    print(
        f"\n[topology] {UPLOADS} uploads accepted in {accepted:.1f} s, all indexed after"
        f" {indexed:.1f} s; docprocessing-1 SIGKILLed with {killed_at_indexed}/{UPLOADS} indexed;"
        f" uploads per replica {dict(spread)};"
        f" attempts (worker, outcome, count) {attempts}"
    )


async def _kill_when_busy(topology: Topology, name: str, org_id: str) -> int:
    """SIGKILL the worker once it has indexed a few of the org's documents and is processing
    another; returns how many of them were indexed at that moment."""
    process = topology.processes[name]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done, running = topology.query(
            "SELECT count(*) FILTER (WHERE outcome = 'indexed'),"
            " count(*) FILTER (WHERE outcome = 'running')"
            " FROM ingestion_attempts WHERE organization_id = %s AND worker LIKE %s",
            org_id,
            f"%:{process.pid}",
        )[0]
        if done >= 3 and running:
            topology.signal(name, signal.SIGKILL)
            process.wait(10)
            (count,) = topology.query(
                "SELECT count(*) FROM documents WHERE organization_id = %s AND status = 'indexed'",
                org_id,
            )[0]
            assert count < UPLOADS
            return int(count)
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} never processed a document: {topology.log_tail(name)}")


async def test_api_replica_sent_sigterm_drains_then_exits(topology: Topology) -> None:
    """A replica told to stop (a rolling update) at once answers /ready with 503 while still
    serving (closing each connection after its response); the answer it is streaming completes;
    then it exits (status 0). Users going through the proxy see no failed request meanwhile."""
    stopping = "api-2"
    url = topology.api[stopping]
    async with client(topology.base) as http, client(url) as direct:
        owner = await register_org(http, "Draining")
        await upload_indexed(http, owner, "eels.txt", b"Moray eels have a second set of jaws.")
        topology.behaviour.mode, topology.behaviour.delay = "several", 0.15
        seen: dict[str, Any] = {}

        async def sigterm() -> None:
            seen["signalled"] = time.monotonic()
            topology.signal(stopping, signal.SIGTERM)
            await asyncio.sleep(0.3)
            ready = await direct.get("/ready")
            seen["ready"] = (ready.status_code, ready.json()["services"])
            seen["connection"] = ready.headers.get("connection")
            seen["me"] = (await direct.get("/api/me", headers=owner.headers)).status_code
            seen["proxied"] = [
                (await http.get("/api/me", headers=owner.headers)).status_code for _ in range(6)
            ]

        async with httpx.AsyncClient(base_url=url, timeout=60) as streaming:
            events = await stream_answer(streaming, owner, "What do moray eels have?", sigterm)
        finished = time.monotonic()
        code = await asyncio.to_thread(topology.wait_exit, stopping)
        exited = time.monotonic()
        during_close = [
            (await http.get("/api/me", headers=owner.headers)).status_code for _ in range(6)
        ]
    assert seen["ready"] == (503, {"server": "draining"})
    assert seen["connection"] == "close"  # keep-alive clients move to another replica
    assert seen["me"] == 200
    assert seen["proxied"] == [200] * 6 and during_close == [200] * 6
    names = [name for _, name, _ in events]
    assert names[0] == "sources" and names[-1] == "done", names
    assert code == 0, topology.log_tail(stopping)
    assert exited - seen["signalled"] >= DRAIN_SECONDS
    print(
        f"\n[topology] {stopping}: stream finished {finished - seen['signalled']:.1f} s after"
        f" SIGTERM, process exited after {exited - seen['signalled']:.1f} s"
        f" (drain {DRAIN_SECONDS} s)"
    )


async def test_every_role_stops_gracefully_on_sigterm(topology: Topology) -> None:
    """Told to stop, a docprocessing worker first finishes the document it is processing (it
    ends `indexed` with no worker left to take it again); the primary worker, beat and the API
    replica exit cleanly (status 0) too."""
    for name in ("docprocessing-1", "api-2"):  # already stopped when the whole module runs
        if topology.processes[name].poll() is None:
            topology.signal(name, signal.SIGTERM)
            topology.wait_exit(name)
    worker = "docprocessing-2"
    pid = topology.processes[worker].pid
    one_url = topology.api["api-1"]
    async with client(one_url) as http:
        owner = await register_org(http, "Stopping")
        sentence = "Glaciers carve valleys over thousands of years, grinding rock to flour. "
        response = await upload(http, owner, "glaciers.txt", sentence.encode() * 300)
        assert response.status_code == 202, response.text
        document_id = response.json()["document_id"]
        deadline = time.monotonic() + 120
        while not topology.query(
            "SELECT 1 FROM ingestion_attempts WHERE document_id = %s AND outcome = 'running'",
            document_id,
        ):
            assert time.monotonic() < deadline, topology.log_tail(worker)
            await asyncio.sleep(0.05)
        signalled = time.monotonic()
        topology.signal(worker, signal.SIGTERM)
        code = await asyncio.to_thread(topology.wait_exit, worker)
        worker_stopped = time.monotonic() - signalled
        assert code == 0, topology.log_tail(worker)
        document = await http.get(f"/api/documents/{document_id}", headers=owner.headers)
        assert document.json()["status"] == "indexed", document.json()
    attempts = topology.query(
        "SELECT worker, outcome FROM ingestion_attempts WHERE document_id = %s", document_id
    )
    assert attempts == [(attempts[0][0], "indexed")] and attempts[0][0].endswith(f":{pid}")

    timings = {}
    for name in ("primary", "beat", "api-1"):
        started = time.monotonic()
        topology.signal(name, signal.SIGTERM)
        code = await asyncio.to_thread(topology.wait_exit, name)
        timings[name] = round(time.monotonic() - started, 1)
        assert code == 0, (name, topology.log_tail(name))
    print(
        f"\n[topology] SIGTERM to exit: docprocessing-2 (mid-document) {worker_stopped:.1f} s,"
        f" others {timings}"
    )
