"""Uploading documents through the real API and waiting for the real worker."""

import asyncio
import time
from typing import Any

from httpx import AsyncClient, Response

from tests.factories.accounts import Account

FINAL = ("indexed", "failed")


async def upload(
    client: AsyncClient,
    account: Account,
    filename: str,
    content: bytes,
    content_type: str = "application/octet-stream",
    **fields: str,
) -> Response:
    return await client.post(
        "/api/files",
        files={"file": (filename, content, content_type)},
        data=fields,
        headers=account.headers,
    )


async def wait_final(
    client: AsyncClient, account: Account, document_id: str, timeout: float = 180
) -> dict[str, Any]:
    """Poll until the document is `indexed` or `failed`, as its owner would."""
    deadline = time.monotonic() + timeout
    while True:
        response = await client.get(f"/api/documents/{document_id}", headers=account.headers)
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        if document["status"] in FINAL:
            return document
        if time.monotonic() > deadline:
            raise AssertionError(f"document still {document['status']} after {timeout} s")
        await asyncio.sleep(0.2)


async def upload_indexed(
    client: AsyncClient, account: Account, filename: str, content: bytes, **fields: str
) -> dict[str, Any]:
    response = await upload(client, account, filename, content, **fields)
    assert response.status_code == 202, response.text
    document = await wait_final(client, account, response.json()["document_id"])
    assert document["status"] == "indexed", document
    return document
