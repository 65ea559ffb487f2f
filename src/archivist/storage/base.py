"""The object-store interface: local folder (embedded) or any S3 API (production)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from archivist.core.errors import ServiceUnavailable


class ObjectNotFound(Exception):
    pass


class ObjectStoreUnavailable(ServiceUnavailable):
    detail = "The object store cannot be reached; nothing was saved. Retry shortly."
    retry_after_seconds = 5


class ObjectStore(Protocol):
    def put_file(self, key: str, source: Path, content_type: str) -> None:
        """Store the file at `source` under `key` (server-side encrypted where supported)."""
        ...

    def iter_bytes(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The object's bytes, streamed; raises ObjectNotFound."""
        ...

    def local_path(self, key: str) -> Path | None:
        """The object's own file when the store is a local folder (read it, never write it)."""
        ...

    def download_to(self, key: str, target: Path) -> None:
        """Copy the object into a local file; raises ObjectNotFound."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; no error when it is already gone."""
        ...

    def presigned_url(self, key: str, filename: str, content_type: str) -> str | None:
        """A short-lived GET URL, or None when the store serves bytes through the API instead."""
        ...

    def check(self) -> None:
        """Raise when the store cannot be reached or written."""
        ...


def object_key(org_id: object, file_id: object, filename: str) -> str:
    return f"orgs/{org_id}/files/{file_id}/{sanitize_filename(filename)}"


def sanitize_filename(filename: str, max_length: int = 150) -> str:
    """A safe single path segment: no separators, no control characters, no leading dots."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c if c.isalnum() or c in "._- " else "_" for c in name).strip(" .")
    if len(cleaned) > max_length:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = (
            (stem[: max_length - len(ext) - 1] + dot + ext)
            if dot and len(ext) < 10
            else cleaned[:max_length]
        )
    return cleaned or "file"


def attachment_disposition(filename: str) -> str:
    """`Content-Disposition: attachment` naming the file (RFC 6266), safe for any filename.

    Printable ASCII only, whatever the name holds (a line break in a header is a response
    splitting attempt, and the server refuses to send it): `filename=` carries an ASCII
    fallback for old clients, `filename*=` the exact UTF-8 name, percent-encoded (RFC 8187).
    """
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    fallback = fallback.strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
