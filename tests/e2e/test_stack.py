"""`archivist up` as a user runs it: a real process tree on a temporary data dir."""

import signal
import socket
from pathlib import Path

import httpx

from archivist.embedded.ports import free_port
from tests.e2e.stack import STOP_LIMIT_SECONDS, start_stack, stop, wait_indexed, wait_ready
from tests.factories.accounts import PASSWORD, unique_email


def test_data_survives_stop_and_start(stack_dir: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    email = unique_email("restart")

    process = start_stack(stack_dir, port)
    wait_ready(process, port)
    registered = httpx.post(
        f"{base}/api/auth/register",
        json={"email": email, "password": PASSWORD, "organization_name": "Restart Inc"},
    )
    assert registered.status_code == 201, registered.text
    token = registered.json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(f"{base}/api/chat/sessions", json={"title": "kept"}, headers=headers)
    assert created.status_code == 201, created.text
    uploaded = httpx.post(
        f"{base}/api/files",
        files={"file": ("kept.txt", b"The heron survives restarts.", "text/plain")},
        headers=headers,
    )
    assert uploaded.status_code == 202, uploaded.text
    document_id = uploaded.json()["document_id"]
    wait_indexed(base, headers, document_id)
    # The worker's counters reach the API's /metrics (one multi-process registry).
    metrics = httpx.get(f"{base}/metrics").text
    assert 'documents_processed_total{status="indexed"} 1.0' in metrics, metrics[-3000:]
    assert 'queue_depth{queue="docprocessing"}' in metrics
    assert "embedding_seconds_count" in metrics

    elapsed = stop(process, signal.SIGINT)
    assert process.returncode == 0
    assert elapsed < STOP_LIMIT_SECONDS

    process = start_stack(stack_dir, port)
    try:
        wait_ready(process, port)
        # The session lives in Redis' append-only file: the old token still works.
        me = httpx.get(f"{base}/api/me", headers=headers)
        assert me.status_code == 200, me.text
        assert me.json()["email"] == email
        sessions = httpx.get(f"{base}/api/chat/sessions", headers=headers).json()["items"]
        assert [s["title"] for s in sessions] == ["kept"]
        document = httpx.get(f"{base}/api/documents/{document_id}", headers=headers).json()
        assert document["status"] == "indexed"
        download = httpx.get(f"{base}/api/files/{document['file_id']}/download", headers=headers)
        assert download.content == b"The heron survives restarts."
        login = httpx.post(f"{base}/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
    finally:
        elapsed = stop(process, signal.SIGTERM)
    assert process.returncode == 0
    assert elapsed < STOP_LIMIT_SECONDS


def test_taken_port_is_reported_in_one_line(stack_dir: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        process = start_stack(stack_dir, port)
        output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    lines = [line for line in output.splitlines() if line.strip()]
    assert any(f"port {port}" in line and "already in use" in line for line in lines), output
    assert "Traceback" not in output


def test_unwritable_data_dir_is_reported_in_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    process = start_stack(blocker / "data", free_port())
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "not writable" in output, output
    assert "Traceback" not in output
    assert len([line for line in output.splitlines() if line.strip()]) == 1
