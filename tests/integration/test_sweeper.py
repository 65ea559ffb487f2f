"""A worker killed mid-document loses nothing: the sweeper re-queues the document."""

import asyncio
import os
import signal
import time

from archivist.core.state import AppState
from archivist.embedded.services import EmbeddedServices
from tests.conftest import start_worker, stop_worker
from tests.factories.accounts import register_org
from tests.factories.documents import upload, wait_final
from tests.support import open_client


async def test_document_of_a_killed_worker_ends_indexed_after_the_sweeper(
    services: EmbeddedServices, app_state: AppState
) -> None:
    # A Redis database of its own, so the suite's shared worker cannot take this document.
    redis_url = services.redis_url.rsplit("/", 1)[0] + "/5"
    state = AppState.create(app_state.settings.model_copy(update={"redis_url": redis_url}))
    doomed = start_worker(services, REDIS_URL=redis_url)
    rescuer = None
    try:
        async with open_client(state) as client:
            owner = await register_org(client, "Sweeper Co")
            text = " ".join(
                f"Line {i}: the okapi herd grazes near river bend {i}." for i in range(900)
            )
            response = await upload(client, owner, "long.txt", text.encode())
            assert response.status_code == 202, response.text
            document_id = response.json()["document_id"]

            deadline = time.monotonic() + 120
            while True:
                current = await client.get(f"/api/documents/{document_id}", headers=owner.headers)
                if current.json()["status"] == "processing":
                    break
                assert time.monotonic() < deadline, current.json()
                await asyncio.sleep(0.1)
            os.killpg(doomed.pid, signal.SIGKILL)  # mid-document, no goodbye
            doomed.wait()
            await asyncio.sleep(1.5)
            stuck = await client.get(f"/api/documents/{document_id}", headers=owner.headers)
            assert stuck.json()["status"] == "processing"

            rescuer = start_worker(
                services, REDIS_URL=redis_url, ARCHIVIST_INGESTION__STUCK_AFTER_SECONDS="1"
            )
            requeued = await asyncio.to_thread(
                # Tasks store no results; this test asks for one to read the count.
                lambda: state.celery.send_task("documents.sweep", ignore_result=False).get(
                    timeout=120
                )
            )
            assert requeued == 1

            document = await wait_final(client, owner, document_id, timeout=300)
            assert document["status"] == "indexed", document
            assert document["chunk_count"] > 10
            attempts = await client.get(
                f"/api/documents/{document_id}/attempts", headers=owner.headers
            )
            outcomes = [a["outcome"] for a in attempts.json()["items"]]
            assert outcomes == ["abandoned", "indexed"], outcomes
    finally:
        stop_worker(doomed)
        if rescuer is not None:
            stop_worker(rescuer)
        await state.close()
