"""Faults with the real services: each test says what the user sees while a dependency fails,
and proves that nothing is lost once it recovers.

These tests run their own PostgreSQL and Redis (restarting the suite's shared ones would
disturb other tests), the app on a real port and a real worker.
"""

import asyncio
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from sqlalchemy.engine import make_url

from archivist.core.config import AuthSettings, LLMSettings, Settings
from archivist.core.migrate import upgrade
from archivist.core.state import AppState
from archivist.embedded.services import EmbeddedServices
from tests.conftest import live_server, start_worker, stop_worker
from tests.factories.accounts import Account, register_org
from tests.factories.documents import wait_final
from tests.fake_llm import Behaviour, fake_llm_server
from tests.faults import TcpProxy
from tests.s3server import S3Server, s3_settings
from tests.support import assert_error, open_client

BOUNDARY = "faultboundary"


@dataclass
class FaultStack:
    services: EmbeddedServices
    base: str
    behaviour: Behaviour
    worker: subprocess.Popen[bytes] | None = None

    def restart(self, name: str, down_seconds: float = 0.0) -> None:
        """Stop one service and start it again on the same port (so its URL stays valid)."""
        self.stop(name)
        time.sleep(down_seconds)
        self.start(name)

    def stop(self, name: str) -> None:
        self.services.stop(only=name)

    def start(self, name: str) -> None:
        url = self.services.database_url if name == "postgres" else self.services.redis_url
        getattr(self.services, f"start_{name}")(make_url(url).port)

    def start_worker(self) -> None:
        """Start the worker and wait until it takes tasks: a restart while it still starts
        would fail its start-up checks, which is not the fault under test."""
        log = self.services.logs / "worker-test.log"
        seen = log.stat().st_size if log.exists() else 0
        self.worker = start_worker(self.services)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.worker.poll() is None:
            with log.open("rb") as handle:
                handle.seek(seen)
                if b" ready." in handle.read():
                    return
            time.sleep(0.2)
        raise AssertionError(f"the worker did not become ready; see {log}")

    def stop_worker(self) -> None:
        if self.worker is not None:
            stop_worker(self.worker)
            self.worker = None


@pytest.fixture(scope="module")
def faults() -> Iterator[FaultStack]:
    data_dir = Path(tempfile.mkdtemp(prefix="archivist-faults-"))
    services = EmbeddedServices(data_dir)
    try:
        services.start_postgres()
        services.start_redis()
        upgrade(services.migration_url)
        with fake_llm_server() as (llm_url, behaviour):
            settings = Settings(
                data_dir=data_dir,
                database_url=services.database_url,
                migration_database_url=services.migration_url,
                redis_url=services.redis_url,
                auth=AuthSettings(jwt_secret="fault-secret-" + "x" * 40),
                llm=LLMSettings(base_url=llm_url, model="fake", timeout_seconds=5, retries=0),
            )
            with live_server(settings) as base:
                stack = FaultStack(services, base, behaviour)
                stack.start_worker()
                try:
                    yield stack
                finally:
                    stack.stop_worker()
    finally:
        services.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
async def http(faults: FaultStack) -> AsyncIterator[httpx.AsyncClient]:
    faults.behaviour.mode, faults.behaviour.delay = "ok", 0.0
    async with httpx.AsyncClient(base_url=faults.base, timeout=60) as client:
        yield client


def _multipart(filename: str, content: bytes, chunk: int) -> list[bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    parts = [content[i : i + chunk] for i in range(0, len(content), chunk)]
    return [head, *parts, f"\r\n--{BOUNDARY}--\r\n".encode()]


async def slow_upload(
    client: httpx.AsyncClient, account: Account, filename: str, content: bytes, seconds: float
) -> httpx.Response:
    """An upload whose body takes `seconds` to arrive, as over a slow link."""
    pieces = _multipart(filename, content, max(1, len(content) // 20))

    async def body() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece
            await asyncio.sleep(seconds / len(pieces))

    return await client.post(
        "/api/files",
        content=body(),
        headers={
            **account.headers,
            "content-type": f"multipart/form-data; boundary={BOUNDARY}",
        },
    )


async def documents_of(client: httpx.AsyncClient, account: Account) -> list[dict[str, Any]]:
    response = await client.get("/api/documents", headers=account.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def stored_file_ids(data_dir: Path, org_id: str) -> set[str]:
    folder = data_dir / "objects" / "orgs" / org_id / "files"
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


async def test_postgres_restart_mid_upload_loses_nothing(
    faults: FaultStack, http: httpx.AsyncClient
) -> None:
    """The user sees their upload accepted (202), or refused with a 503 that says to retry;
    a retry is indexed, and no stored file is left without its document."""
    owner = await register_org(http, "Restart upload")
    content = b"Kestrels hover before they dive. " * 3000
    upload = asyncio.create_task(slow_upload(http, owner, "kestrel.txt", content, seconds=3))
    await asyncio.sleep(1.0)
    await asyncio.to_thread(faults.restart, "postgres")
    response = await upload
    if response.status_code != 202:
        assert_error(response, 503)
        assert response.headers["retry-after"].isdigit()
        response = await slow_upload(http, owner, "kestrel.txt", content, seconds=0.1)
    assert response.status_code == 202, response.text
    document = await wait_final(http, owner, response.json()["document_id"], timeout=120)
    assert document["status"] == "indexed"
    documents = await documents_of(http, owner)
    assert len(documents) == 1
    assert stored_file_ids(faults.services.data_dir, owner.org_id) == {documents[0]["file_id"]}


async def test_postgres_restart_mid_answer_leaves_a_usable_session(
    faults: FaultStack, http: httpx.AsyncClient
) -> None:
    """The answer still arrives, or the stream ends with an `error` event (never a hang or a
    broken connection); the next question in the same session is answered."""
    owner = await register_org(http, "Restart chat")
    upload = await slow_upload(http, owner, "n.txt", b"Narwhal tusks are teeth.", seconds=0)
    await wait_final(http, owner, upload.json()["document_id"], timeout=120)
    session = (await http.post("/api/chat/sessions", json={}, headers=owner.headers)).json()
    faults.behaviour.mode, faults.behaviour.delay = "slow", 0.3
    url = f"/api/chat/sessions/{session['id']}/messages"
    events: list[str] = []
    async with http.stream(
        "POST", url, json={"content": "What are narwhal tusks?"}, headers=owner.headers
    ) as stream:
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                events.append(line[7:])
                if events == ["sources", "delta"]:
                    await asyncio.to_thread(faults.restart, "postgres")
    assert events[0] == "sources" and events[-1] in ("done", "error"), events
    faults.behaviour.mode = "ok"
    again = await http.post(
        url, json={"content": "And what are they for?", "stream": False}, headers=owner.headers
    )
    assert again.status_code == 200, again.text
    stored = (await http.get(f"/api/chat/sessions/{session['id']}", headers=owner.headers)).json()
    roles = [m["role"] for m in stored["messages"]]
    assert roles[-2:] == ["user", "assistant"] and roles.count("user") == 2, roles


async def test_redis_restart_keeps_people_signed_in_and_queued_work(
    faults: FaultStack, http: httpx.AsyncClient
) -> None:
    """While Redis is down a signed-in request gets a 503 that says to retry (never a 500);
    after it restarts the same token works, and a document queued before is processed."""
    owner = await register_org(http, "Restart redis")
    faults.stop_worker()
    try:
        queued = await slow_upload(http, owner, "q.txt", b"Queued ptarmigan notes.", seconds=0)
        assert queued.status_code == 202, queued.text
        await asyncio.sleep(1.1)  # the append-only file is synced every second
        await asyncio.to_thread(faults.stop, "redis")
        try:
            down = await http.get("/api/me", headers=owner.headers)
            assert_error(down, 503)
            assert down.headers["retry-after"].isdigit()
        finally:
            await asyncio.to_thread(faults.start, "redis")
        me = await http.get("/api/me", headers=owner.headers)
        assert me.status_code == 200, me.text
    finally:
        faults.start_worker()
    document = await wait_final(http, owner, queued.json()["document_id"], timeout=120)
    assert document["status"] == "indexed"


async def test_object_store_down_refuses_uploads_cleanly(
    faults: FaultStack, s3_server: S3Server
) -> None:
    """With the S3 store unreachable the user's upload gets a 503 that says to retry, and
    nothing is left half-written: no document, no object. Once the store is back, it works."""
    proxy = TcpProxy(*s3_server.endpoint.removeprefix("http://").split(":"))
    s3 = s3_settings(s3_server, bucket="archivist-faults", endpoint_url=f"http://{proxy.address}")
    settings = Settings(
        data_dir=faults.services.data_dir,
        database_url=faults.services.database_url,
        redis_url=faults.services.redis_url,
        auth=AuthSettings(jwt_secret="fault-secret-" + "x" * 40),
        s3=s3,
    )
    state = AppState.create(settings)
    proxy.up()
    try:
        state.store.check()  # creates the bucket
        async with open_client(state) as client:
            owner = await register_org(client, "Store down")
            proxy.down()
            refused = await slow_upload(client, owner, "down.txt", b"Unsaved words.", seconds=0)
            assert_error(refused, 503, "ObjectStoreUnavailable")
            assert refused.headers["retry-after"].isdigit()
            assert await documents_of(client, owner) == []
            proxy.up()
            assert _bucket_keys(s3_server, s3.bucket) == []
            accepted = await slow_upload(client, owner, "up.txt", b"Saved words.", seconds=0)
            assert accepted.status_code == 202, accepted.text
            (document,) = await documents_of(client, owner)
            assert [key.split("/")[3] for key in _bucket_keys(s3_server, s3.bucket)] == [
                document["file_id"]
            ]
    finally:
        proxy.down()
        await state.close()


def _bucket_keys(server: S3Server, bucket: str) -> list[str]:
    raw = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        region_name=server.region,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
    )
    listing = raw.list_objects_v2(Bucket=bucket)
    return [item["Key"] for item in listing.get("Contents", [])]


@pytest.fixture(scope="module")
def small_disk() -> Iterator[Path]:
    """A 160 MB tmpfs holding a whole data directory, so it can be filled."""
    mount = Path(tempfile.mkdtemp(prefix="archivist-small-disk-"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=160m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        mount.rmdir()


async def test_full_data_disk_refuses_uploads_cleanly_and_recovers(small_disk: Path) -> None:
    """When the data directory's disk is full the user's upload gets a 503 saying the server is
    out of space; nothing is half-written, everything stored before still reads, and uploads
    work again once space is freed."""
    services = EmbeddedServices(small_disk / "data")
    services.start_postgres()
    services.start_redis()
    try:
        upgrade(services.migration_url)
        settings = Settings(
            data_dir=services.data_dir,
            database_url=services.database_url,
            redis_url=services.redis_url,
            auth=AuthSettings(jwt_secret="fault-secret-" + "x" * 40),
        )
        with live_server(settings) as base:
            async with httpx.AsyncClient(base_url=base, timeout=60) as client:
                owner = await register_org(client, "Full disk")
                first = await slow_upload(client, owner, "a.txt", b"Stored first.", seconds=0)
                assert first.status_code == 202, first.text
                filler = small_disk / "filler"
                _fill(filler, leave_bytes=2 * 1024 * 1024)
                refused = await slow_upload(client, owner, "big.txt", b"x" * 3_000_000, seconds=0)
                assert_error(refused, 503, "StorageFull")
                assert refused.headers["retry-after"].isdigit()
                leftovers = [
                    p.name
                    for p in services.data_dir.rglob("*")
                    if p.name.startswith("upload-") or p.name.endswith(".partial")
                ]
                assert leftovers == []
                (kept,) = await documents_of(client, owner)
                assert kept["filename"] == "a.txt"
                download = await client.get(
                    f"/api/files/{kept['file_id']}/download", headers=owner.headers
                )
                assert download.content == b"Stored first."

                filler.unlink()
                again = await slow_upload(client, owner, "big.txt", b"x" * 3_000_000, seconds=0)
                assert again.status_code == 202, again.text
                assert len(await documents_of(client, owner)) == 2
    finally:
        services.stop()


def _fill(path: Path, leave_bytes: int) -> None:
    free = shutil.disk_usage(path.parent).free
    with path.open("wb") as handle:
        handle.truncate(0)
        block = b"\0" * (1 << 20)
        for _ in range(max(0, free - leave_bytes) // len(block)):
            handle.write(block)
