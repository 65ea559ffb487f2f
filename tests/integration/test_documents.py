"""Documents end to end: HTTP upload → object store → real Celery worker → indexed chunks."""

import asyncio
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from archivist.core.db import set_tenant
from archivist.core.state import AppState
from archivist.files.service import file_service
from archivist.models import Chunk, File, IngestionAttempt
from archivist.worker.context import WorkerContext
from tests.factories import files
from tests.factories.accounts import Account, Org, make_org
from tests.factories.documents import upload, upload_indexed, wait_final
from tests.support import assert_error, open_client

pytestmark = pytest.mark.usefixtures("pipeline")


@pytest.fixture(scope="module")
async def org(client: AsyncClient) -> Org:
    return await make_org(client, members=2, name="Docs Inc")


@pytest.fixture(scope="module")
async def other_org(client: AsyncClient) -> Org:
    return await make_org(client, members=1, name="Elsewhere Ltd")


def sample_files(folder: Path) -> dict[str, tuple[Path, str, int | None]]:
    """name -> (file, a phrase its text must yield, expected page_count)."""
    eml = files.make_eml(
        folder / "note.eml",
        "Quarterly zebra census",
        "The zebra count rose this quarter.",
        attachments=[("notes.txt", b"Attachment mentions flamingos.", "text/plain")],
    )
    return {
        "pdf": (
            files.make_pdf(folder / "a.pdf", ["Aardvark page one", "Badger page two"]),
            "Badger",
            2,
        ),
        "docx": (
            files.make_docx(folder / "a.docx", ["Capybara report paragraph"]),
            "Capybara",
            None,
        ),
        "pptx": (files.make_pptx(folder / "a.pptx", [("Dingo slide", "Dingo body")]), "Dingo", 1),
        "xlsx": (files.make_xlsx(folder / "a.xlsx", {"Animals": [["Emu", 3]]}), "Emu", None),
        "html": (
            _write(
                folder / "a.html",
                "<html><head><style>.x{}</style><script>var ferret=1</script></head>"
                "<body><p>Falcon facts</p></body></html>",
            ),
            "Falcon",
            None,
        ),
        "markdown": (_write(folder / "a.md", "# Gecko\n\nGeckos climb walls."), "Gecko", None),
        "text-cp1252": (
            _write(folder / "a.txt", "Hérons and “quotes” café", "cp1252"),
            "café",
            None,
        ),
        "csv": (_write(folder / "a.csv", "animal,count\nHyena,4\n"), "Hyena", None),
        "email": (eml, "flamingos", None),
        "json": (
            _write(folder / "a.json", json.dumps({"animal": "Ibex", "count": 2})),
            "Ibex",
            None,
        ),
        "pdf-named-txt": (
            files.make_pdf(folder / "really-a-pdf.txt", ["Jackal inside"]),
            "Jackal",
            1,
        ),
    }


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


async def chunk_texts(state: AppState, account: Account, document_id: str) -> list[str]:
    async with state.sessionmaker() as session, session.begin():
        await set_tenant(session, uuid.UUID(account.id), uuid.UUID(account.org_id))
        rows = await session.scalars(
            select(Chunk.text)
            .where(Chunk.document_id == uuid.UUID(document_id))
            .order_by(Chunk.ord)
        )
        return list(rows)


async def test_every_supported_format_is_indexed_with_its_text(
    client: AsyncClient, app_state: AppState, org: Org, tmp_path: Path
) -> None:
    owner = org.members[0]
    for name, (path, phrase, page_count) in sample_files(tmp_path).items():
        document = await upload_indexed(client, owner, path.name, path.read_bytes(), title=name)
        assert document["chunk_count"] >= 1, name
        assert document["page_count"] == page_count, (name, document)
        text = " ".join(await chunk_texts(app_state, owner, document["id"]))
        assert phrase in text, (name, text)
        if name == "html":
            assert "ferret" not in text and ".x{}" not in text, "scripts and styles are not text"
        if name == "pdf-named-txt":
            assert document["mime_type"] == "application/pdf", (
                "content decides the type, not the name"
            )


async def test_upload_answers_queued_with_ids(client: AsyncClient, org: Org) -> None:
    response = await upload(client, org.admin, "hello.txt", b"Hello kiwi")
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "queued"
    uuid.UUID(body["document_id"]), uuid.UUID(body["file_id"])
    document = await wait_final(client, org.admin, body["document_id"])
    assert document["filename"] == "hello.txt"
    assert document["title"] == "hello"
    assert document["size_bytes"] == len(b"Hello kiwi")
    assert document["visibility"] == "private"
    assert document["owner_id"] == org.admin.id


async def test_empty_upload_is_422_and_creates_nothing(client: AsyncClient, org: Org) -> None:
    before = await client.get("/api/documents", headers=org.admin.headers)
    assert_error(await upload(client, org.admin, "empty.txt", b""), 422, "EmptyUpload")
    after = await client.get("/api/documents", headers=org.admin.headers)
    assert after.json()["items"] == before.json()["items"]


async def test_unknown_binary_is_415(client: AsyncClient, org: Org, tmp_path: Path) -> None:
    png = files.make_png(tmp_path / "picture.pdf")
    assert_error(await upload(client, org.admin, "picture.pdf", png.read_bytes()), 415)
    assert_error(
        await upload(client, org.admin, "blob.bin", bytes(range(256)) * 64),
        415,
        "UnsupportedFileType",
    )


async def test_upload_over_the_size_cap_is_413(app_state: AppState, org: Org) -> None:
    small = app_state.settings.model_copy(update={"max_upload_mb": 1})
    state = AppState.create(small)
    try:
        async with open_client(state) as capped:
            big = b"word " * (300 * 1024)  # 1.5 MB of text
            assert_error(await upload(capped, org.admin, "big.txt", big), 413, "UploadTooLarge")
            listed = await capped.get(
                "/api/documents", params={"q": "big"}, headers=org.admin.headers
            )
            assert listed.json()["items"] == []
    finally:
        await state.close()


def multipart(parts: list[tuple[list[tuple[str, str]], bytes]]) -> tuple[str, bytes]:
    """A multipart/form-data body written by hand: (headers, content) per part."""
    boundary = "archivist-test-boundary"
    body = b""
    for headers, content in parts:
        body += f"--{boundary}\r\n".encode()
        body += b"".join(f"{name}: {value}\r\n".encode() for name, value in headers)
        body += b"\r\n" + content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


def file_part(name: str, content: bytes) -> tuple[list[tuple[str, str]], bytes]:
    disposition = f'form-data; name="file"; filename="{name}"'
    return [("Content-Disposition", disposition), ("Content-Type", "text/plain")], content


def field_part(name: str, value: str) -> tuple[list[tuple[str, str]], bytes]:
    return [("Content-Disposition", f'form-data; name="{name}"')], value.encode()


async def stored_traces(state: AppState, account: Account) -> tuple[int, set[Path]]:
    """The account's file rows, and every file in the upload spool and the org's storage."""
    async with state.sessionmaker() as session, session.begin():
        await set_tenant(session, uuid.UUID(account.id), uuid.UUID(account.org_id))
        rows = await session.scalar(select(func.count()).select_from(File))
    folders = [
        state.settings.data_dir.resolve() / "tmp" / "uploads",
        state.settings.storage_dir / "orgs" / account.org_id,
    ]
    return int(rows or 0), {path for folder in folders for path in folder.rglob("*")}


@pytest.mark.parametrize(
    ("parts", "detail"),
    [
        (
            [file_part("fields.txt", b"Okapi")]
            + [field_part(f"extra{index}", "x") for index in range(40)],
            "Too many form fields",
        ),
        (
            [
                (
                    [("Content-Disposition", 'form-data; name="title"')]
                    + [(f"X-Padding-{index}", "y") for index in range(8)],
                    b"Title",
                ),
                file_part("headers.txt", b"Okapi"),
            ],
            "too many headers",
        ),
        (
            [
                file_part("big-headers.txt", b"Okapi"),
                (
                    [("Content-Disposition", 'form-data; name="title"')]
                    + [(f"X-Padding-{index}", "y" * 2000) for index in range(3)],
                    b"Title",
                ),
            ],
            "headers are too large",
        ),
    ],
    ids=["fields", "header-count", "header-bytes"],
)
async def test_oversized_form_is_422_and_leaves_nothing_behind(
    client: AsyncClient,
    app_state: AppState,
    org: Org,
    parts: list[tuple[list[tuple[str, str]], bytes]],
    detail: str,
) -> None:
    owner = org.members[1]
    before = await stored_traces(app_state, owner)
    content_type, body = multipart(parts)
    response = await client.post(
        "/api/files",
        content=body,
        headers={**owner.headers, "Content-Type": content_type},
    )
    assert detail in assert_error(response, 422, "InvalidPayload")["detail"]
    assert await stored_traces(app_state, owner) == before


async def test_form_with_a_few_extra_fields_is_accepted(client: AsyncClient, org: Org) -> None:
    content_type, body = multipart(
        [field_part("title", "Extra"), field_part("client", "cli 1.0"), file_part("x.txt", b"Ok")]
    )
    response = await client.post(
        "/api/files", content=body, headers={**org.admin.headers, "Content-Type": content_type}
    )
    assert response.status_code == 202, response.text


@pytest.mark.parametrize(
    ("maker", "reason"),
    [
        (lambda p: files.make_corrupt_pdf(p / "broken.pdf"), "damaged"),
        (lambda p: files.make_encrypted_pdf(p / "locked.pdf", ["secret"]), "encrypted"),
        (lambda p: files.make_zip_bomb(p / "bomb.docx", expanded_mb=300), "MB"),
        (lambda p: _write(p / "deep.json", "[" * 5000 + "]" * 5000), "nests deeper"),
    ],
    ids=["corrupt-pdf", "encrypted-pdf", "zip-bomb", "deep-json"],
)
async def test_unreadable_file_fails_with_a_reason_and_harms_nothing_else(
    client: AsyncClient, org: Org, tmp_path: Path, maker: Any, reason: str
) -> None:
    owner = org.members[1]
    healthy = await upload_indexed(client, owner, "healthy.txt", b"Lemur notes stay searchable")
    path: Path = maker(tmp_path)
    response = await upload(client, owner, path.name, path.read_bytes())
    assert response.status_code == 202, response.text
    document = await wait_final(client, owner, response.json()["document_id"])
    assert document["status"] == "failed"
    assert reason in document["error"], document["error"]
    assert "\n" not in document["error"]
    again = await client.get(f"/api/documents/{healthy['id']}", headers=owner.headers)
    assert again.json()["status"] == "indexed"
    attempts = await client.get(f"/api/documents/{document['id']}/attempts", headers=owner.headers)
    assert [a["outcome"] for a in attempts.json()["items"]] == ["failed"]


async def test_private_document_is_invisible_to_colleagues_and_other_orgs(
    client: AsyncClient, org: Org, other_org: Org
) -> None:
    owner, colleague = org.members
    document = await upload_indexed(client, owner, "diary.txt", b"Private marmot diary")
    for outsider in (colleague, other_org.admin, other_org.members[0]):
        for method, path in (
            ("GET", f"/api/documents/{document['id']}"),
            ("PATCH", f"/api/documents/{document['id']}"),
            ("DELETE", f"/api/documents/{document['id']}"),
            ("POST", f"/api/documents/{document['id']}/reindex"),
            ("GET", f"/api/documents/{document['id']}/attempts"),
            ("GET", f"/api/files/{document['file_id']}/download"),
        ):
            kwargs: dict[str, Any] = {"json": {"title": "x"}} if method == "PATCH" else {}
            response = await client.request(method, path, headers=outsider.headers, **kwargs)
            assert_error(response, 404)
        listed = await client.get("/api/documents", headers=outsider.headers)
        assert document["id"] not in [d["id"] for d in listed.json()["items"]]
    # The org admin sees every document of the organization, but no other org's admin does.
    seen = await client.get(f"/api/documents/{document['id']}", headers=org.admin.headers)
    assert seen.status_code == 200


async def test_visibility_change_reaches_documents_and_chunks_at_once(
    client: AsyncClient, app_state: AppState, org: Org, other_org: Org
) -> None:
    owner, colleague = org.members
    document = await upload_indexed(client, owner, "plan.txt", b"Narwhal migration plan")
    assert await chunk_texts(app_state, colleague, document["id"]) == []

    shared = await client.patch(
        f"/api/documents/{document['id']}",
        json={"visibility": "organization"},
        headers=owner.headers,
    )
    assert shared.status_code == 200, shared.text
    assert shared.json()["visibility"] == "organization"
    assert await chunk_texts(app_state, colleague, document["id"]) != []
    assert await chunk_texts(app_state, other_org.admin, document["id"]) == []
    # A colleague who can see it may not change it: that is the owner's or an admin's call.
    denied = await client.patch(
        f"/api/documents/{document['id']}", json={"title": "mine now"}, headers=colleague.headers
    )
    assert_error(denied, 403)

    group = await client.post(
        "/api/groups", json={"name": f"g-{uuid.uuid4().hex[:6]}"}, headers=org.admin.headers
    )
    group_id = group.json()["id"]
    narrowed = await client.patch(
        f"/api/documents/{document['id']}",
        json={"visibility": "groups", "group_ids": [group_id]},
        headers=owner.headers,
    )
    assert narrowed.status_code == 200, narrowed.text
    assert await chunk_texts(app_state, colleague, document["id"]) == []
    await client.post(
        f"/api/groups/{group_id}/members", json={"user_id": colleague.id}, headers=org.admin.headers
    )
    assert await chunk_texts(app_state, colleague, document["id"]) != []
    visible = await client.get(f"/api/documents/{document['id']}", headers=colleague.headers)
    assert visible.status_code == 200

    unknown = await client.patch(
        f"/api/documents/{document['id']}",
        json={"visibility": "groups", "group_ids": [str(uuid.uuid4())]},
        headers=owner.headers,
    )
    assert_error(unknown, 422)


async def test_group_upload_needs_groups_of_the_organization(
    client: AsyncClient, org: Org, other_org: Org
) -> None:
    foreign = await client.post(
        "/api/groups", json={"name": "foreign"}, headers=other_org.admin.headers
    )
    response = await upload(
        client, org.admin, "g.txt", b"Okapi", visibility="groups", group_ids=foreign.json()["id"]
    )
    assert_error(response, 422)
    assert_error(await upload(client, org.admin, "g.txt", b"Okapi", visibility="groups"), 422)
    assert_error(await upload(client, org.admin, "g.txt", b"Okapi", visibility="public"), 422)


async def test_download_returns_the_original_bytes_to_those_who_may_see_it(
    client: AsyncClient, org: Org
) -> None:
    content = "Pangolin “report” ✓".encode()
    document = await upload_indexed(
        client, org.members[0], "pangolin report.txt", content, visibility="organization"
    )
    for reader in (org.members[0], org.members[1], org.admin):
        response = await client.get(
            f"/api/files/{document['file_id']}/download", headers=reader.headers
        )
        assert response.status_code == 200
        assert response.content == content
        assert "pangolin" in response.headers["content-disposition"]


SAFE_HEADER = re.compile(r"^[\x20-\x7e]+$")


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("nul\x00byte.txt", "nulbyte.txt"),
        ("esc\x1b[31mred.txt", "esc[31mred.txt"),
        ("bell\x07 del\x7f c1\x9b.txt", "bell del c1.txt"),
        ("tab\tand\x0bvt.txt", "tab and vt.txt"),
        ("evil\u202etxt.exe", "eviltxt.exe"),
        ("Zoë 'quoted' ✓.txt", "Zoë 'quoted' ✓.txt"),
    ],
    ids=["nul", "escape", "c0-del-c1", "tab-vtab", "bidi-override", "non-ascii"],
)
async def test_filename_with_control_characters_downloads_with_a_safe_header(
    client: AsyncClient, org: Org, sent: str, shown: str
) -> None:
    owner = org.members[0]
    disposition = f'form-data; name="file"; filename="{sent}"'.encode()
    boundary = "archivist-test-boundary"
    body = (
        f"--{boundary}\r\n".encode()
        + b"Content-Disposition: " + disposition + b"\r\n\r\n"
        + b"Tapir notes\r\n"
        + f"--{boundary}--\r\n".encode()
    )  # fmt: skip
    response = await client.post(
        "/api/files",
        content=body,
        headers={**owner.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 202, response.text
    document = await wait_final(client, owner, response.json()["document_id"])
    assert document["filename"] == shown
    listed = await client.get("/api/documents", params={"q": shown[:3]}, headers=owner.headers)
    assert shown in [item["filename"] for item in listed.json()["items"]]

    download = await client.get(f"/api/files/{document['file_id']}/download", headers=owner.headers)
    assert download.status_code == 200
    assert download.content == b"Tapir notes"
    header = download.headers["content-disposition"]
    assert SAFE_HEADER.match(header), header
    assert f"filename*=UTF-8''{quote(shown, safe='')}" in header


async def test_delete_leaves_nothing_behind(
    client: AsyncClient, app_state: AppState, org: Org, owner_engine: Any
) -> None:
    owner = org.members[0]
    document = await upload_indexed(client, owner, "gone.txt", b"Quokka data to delete")
    async with app_state.sessionmaker() as session, session.begin():
        await set_tenant(session, uuid.UUID(owner.id), uuid.UUID(owner.org_id))
        key = await session.scalar(
            select(File.storage_key).where(File.id == uuid.UUID(document["file_id"]))
        )
    assert key is not None
    stored = app_state.settings.storage_dir / key
    assert stored.exists()

    response = await client.delete(f"/api/documents/{document['id']}", headers=owner.headers)
    assert response.status_code == 204
    assert_error(await client.get(f"/api/documents/{document['id']}", headers=owner.headers), 404)
    # The stored file outlives the row for the retention window (a point-in-time restore to
    # before the deletion needs it), then the purge task removes it.
    ctx = WorkerContext(app_state.settings)
    retention = timedelta(days=app_state.settings.backup.deleted_file_retention_days)
    await asyncio.to_thread(file_service.purge_expired, ctx, datetime.now(UTC))
    assert stored.exists(), "purged before its retention window ended"
    later = datetime.now(UTC) + retention + timedelta(minutes=1)
    assert await asyncio.to_thread(file_service.purge_expired, ctx, later) >= 1
    assert not stored.exists()
    assert not stored.parent.exists(), "the per-file folder goes too"
    assert await asyncio.to_thread(file_service.purge_expired, ctx, later) == 0
    async with app_state.sessionmaker() as session, session.begin():
        await set_tenant(session, uuid.UUID(owner.id), uuid.UUID(owner.org_id))
        doc_id = uuid.UUID(document["id"])
        assert await session.scalar(select(func.count()).where(Chunk.document_id == doc_id)) == 0
        assert (
            await session.scalar(select(func.count()).where(IngestionAttempt.document_id == doc_id))
            == 0
        )
        assert (
            await session.scalar(
                select(func.count()).where(File.id == uuid.UUID(document["file_id"]))
            )
            == 0
        )


async def test_reindex_is_idempotent(client: AsyncClient, app_state: AppState, org: Org) -> None:
    owner = org.members[1]
    text = " ".join(f"Sentence {i} about the resilient raccoon population." for i in range(80))
    document = await upload_indexed(client, owner, "raccoons.txt", text.encode())
    first = await chunk_texts(app_state, owner, document["id"])
    assert len(first) >= 2

    response = await client.post(f"/api/documents/{document['id']}/reindex", headers=owner.headers)
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    again = await wait_final(client, owner, document["id"])
    assert again["status"] == "indexed"
    assert await chunk_texts(app_state, owner, document["id"]) == first
    attempts = await client.get(f"/api/documents/{document['id']}/attempts", headers=owner.headers)
    assert [a["outcome"] for a in attempts.json()["items"]] == ["indexed", "indexed"]


async def test_list_pages_filters_by_status_and_title(
    client: AsyncClient, client_org: None = None
) -> None:
    account = (await make_org(client, members=0, name="Paging")).admin
    for i in range(3):
        await upload_indexed(client, account, f"salamander-{i}.txt", f"Salamander {i}".encode())
    first = await client.get("/api/documents", params={"limit": 2}, headers=account.headers)
    body = first.json()
    assert len(body["items"]) == 2 and body["next_cursor"]
    second = await client.get(
        "/api/documents",
        params={"limit": 2, "cursor": body["next_cursor"]},
        headers=account.headers,
    )
    assert len(second.json()["items"]) == 1 and second.json()["next_cursor"] is None
    names = {d["filename"] for d in body["items"] + second.json()["items"]}
    assert names == {f"salamander-{i}.txt" for i in range(3)}
    indexed = await client.get(
        "/api/documents", params={"status": "indexed"}, headers=account.headers
    )
    assert len(indexed.json()["items"]) == 3
    queued = await client.get(
        "/api/documents", params={"status": "queued"}, headers=account.headers
    )
    assert queued.json()["items"] == []
    titled = await client.get(
        "/api/documents", params={"q": "salamander-1"}, headers=account.headers
    )
    assert [d["filename"] for d in titled.json()["items"]] == ["salamander-1.txt"]


async def test_cli_ingest_loads_a_folder_as_a_user(
    client: AsyncClient, services: Any, tmp_path: Path
) -> None:
    account = (await make_org(client, members=0, name="Bulk")).admin
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.txt").write_text("Tapir field notes")
    (folder / "sub" / "two.md").write_text("# Tamarin\n\nTamarins are small.")
    (folder / ".hidden").write_text("skip me")
    (folder / "empty.txt").write_text("")
    env = {
        **os.environ,
        "DATABASE_URL": services.database_url,
        "REDIS_URL": services.redis_url,
        "ARCHIVIST_DATA_DIR": str(services.data_dir),
    }
    command = [
        sys.executable,
        "-m",
        "archivist.cli",
        "ingest",
        str(folder),
        "--user",
        account.email,
    ]
    result = await asyncio.to_thread(
        subprocess.run, command, env=env, capture_output=True, text=True, timeout=300
    )
    output = result.stdout + result.stderr
    assert result.returncode == 2, output  # a rejected file makes the exit code non-zero
    assert "empty.txt: The file is empty" in output, output
    assert ".hidden" not in output
    listed = await client.get("/api/documents", headers=account.headers)
    statuses = {d["filename"]: d["status"] for d in listed.json()["items"]}
    assert statuses == {"one.txt": "indexed", "two.md": "indexed"}, statuses


async def test_stats_count_only_what_the_caller_may_see(client: AsyncClient) -> None:
    org = await make_org(client, members=1, name="Stats")
    await upload_indexed(client, org.admin, "a.txt", b"Yak one")
    await upload_indexed(client, org.members[0], "b.txt", b"Yak two", visibility="organization")
    await upload_indexed(client, org.members[0], "c.txt", b"Yak three")
    member = (await client.get("/api/documents/stats", headers=org.members[0].headers)).json()
    admin = (await client.get("/api/documents/stats", headers=org.admin.headers)).json()
    assert member["by_status"]["indexed"] == 2 and member["documents"] == 2
    assert admin["by_status"]["indexed"] == 3 and admin["chunks"] == 3
    assert admin["by_status"]["failed"] == 0


async def test_statuses_answer_many_documents_in_one_request_and_only_visible_ones(
    client: AsyncClient, org: Org, other_org: Org
) -> None:
    owner, colleague = org.members
    private = (await upload(client, owner, "plans.txt", b"Private wombat plans")).json()
    shared = (
        await upload(client, owner, "menu.txt", b"Wombat menu", visibility="organization")
    ).json()
    elsewhere = (await upload(client, other_org.admin, "x.txt", b"Other org wombats")).json()
    ids = [private["document_id"], shared["document_id"], elsewhere["document_id"]]
    ids += [str(uuid.uuid4()), shared["document_id"]]  # unknown and repeated ids

    async def statuses(account: Account, document_ids: list[str]) -> dict[str, str]:
        response = await client.post(
            "/api/documents/statuses", json={"ids": document_ids}, headers=account.headers
        )
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert len(items) == len({d["id"] for d in items})
        return {d["id"]: d["status"] for d in items}

    assert set(await statuses(owner, ids)) == {private["document_id"], shared["document_id"]}
    assert set(await statuses(colleague, ids)) == {shared["document_id"]}
    assert set(await statuses(other_org.admin, ids)) == {elsewhere["document_id"]}
    assert await statuses(other_org.members[0], ids) == {}
    assert await statuses(owner, []) == {}

    await wait_final(client, owner, private["document_id"])
    seen = await statuses(owner, [private["document_id"]])
    assert seen == {private["document_id"]: "indexed"}

    too_many = [str(uuid.uuid4()) for _ in range(501)]
    assert_error(
        await client.post("/api/documents/statuses", json={"ids": too_many}, headers=owner.headers),
        422,
    )
