"""Serving a stored file: presigned redirect where the store supports it, else streamed bytes."""

import asyncio
from collections.abc import AsyncIterator

from fastapi.responses import RedirectResponse, StreamingResponse

from archivist.files.exceptions import FileNotFound
from archivist.models import File
from archivist.storage.base import ObjectNotFound, ObjectStore, attachment_disposition


async def download_response(store: ObjectStore, file: File) -> RedirectResponse | StreamingResponse:
    url = await asyncio.to_thread(
        store.presigned_url, file.storage_key, file.filename, file.mime_type
    )
    if url is not None:
        return RedirectResponse(url, status_code=307)
    chunks = store.iter_bytes(file.storage_key)
    try:
        first = await asyncio.to_thread(next, chunks, b"")
    except ObjectNotFound as exc:
        raise FileNotFound("The stored file is missing") from exc

    async def body() -> AsyncIterator[bytes]:
        yield first
        while block := await asyncio.to_thread(next, chunks, b""):
            yield block

    return StreamingResponse(
        body(),
        media_type=file.mime_type,
        headers={
            "Content-Disposition": attachment_disposition(file.filename),
            "Content-Length": str(file.size_bytes),
        },
    )
