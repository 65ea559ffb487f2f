"""Streaming multipart upload: the file goes to a temporary file on disk as it arrives.

Nothing is held in memory beyond one network chunk and the bounded form fields; the sha256 and
size are computed on the way; an upload over the size cap is refused as soon as the cap is
crossed, not after it all arrived. Everything else a client controls is bounded too, and
checked as it arrives: the number of parts, each part's headers (count and bytes) and each
field's size, so the whole form besides the file stays under about 1 MB.
"""

import asyncio
import hashlib
import re
import tempfile
import unicodedata
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header

from archivist.core.errors import InvalidPayload
from archivist.files.exceptions import EmptyUpload, UploadTooLarge

MAX_FIELD_BYTES = 64 * 1024
# The API reads three fields; the slack is for clients that send a few of their own.
MAX_FIELDS = 16
MAX_PARTS = MAX_FIELDS + 1  # the fields and the file
# Per part. A real part has a Content-Disposition and perhaps a Content-Type. (python-multipart
# has limits of its own in recent versions; these hold whatever version is installed.)
MAX_PART_HEADERS = 6
MAX_PART_HEADER_BYTES = 4 * 1024
FILE_FIELD = "file"
MAX_FILENAME_CHARS = 255
# Whitespace controls become a space; other C0/C1 controls, and the bidirectional overrides
# that make "evil\u202etxt.exe" display as "evilexe.txt", go.
_SPACING_CONTROLS = re.compile("[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_filename(name: str) -> str:
    """The uploader's file name as shown and stored: its last path segment, NFC, without
    control characters or direction overrides, at most `MAX_FILENAME_CHARS`."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = _INVISIBLE.sub("", _SPACING_CONTROLS.sub(" ", name)).strip()
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        keep = MAX_FILENAME_CHARS - len(ext) - 1
        name = stem[:keep] + dot + ext if dot and len(ext) < 16 else name[:MAX_FILENAME_CHARS]
    return name or "upload"


@dataclass
class ReceivedUpload:
    path: Path
    filename: str
    size: int
    sha256: str
    declared_type: str
    fields: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Here, so every way in (HTTP upload, bulk ingest) stores the same clean name.
        self.filename = clean_filename(self.filename)


class _Receiver:
    def __init__(self, spool_dir: Path, max_bytes: int) -> None:
        self.spool_dir = spool_dir
        self.max_bytes = max_bytes
        self.fields: dict[str, str] = {}
        self.file: IO[bytes] | None = None
        self.path: Path | None = None
        self.filename = ""
        self.declared_type = ""
        self.size = 0
        self.hasher = hashlib.sha256()
        self._headers: dict[bytes, bytes] = {}
        self._header_field = b""
        self._header_value = b""
        self._name = ""
        self._is_file = False
        self._value = bytearray()
        self._seen_file = False
        self._parts = 0
        self._header_count = 0
        self._header_bytes = 0

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self._parts += 1
        if self._parts > MAX_PARTS:
            raise InvalidPayload(f"Too many form fields (at most {MAX_FIELDS} besides the file)")
        self._headers = {}
        self._header_count = self._header_bytes = 0
        self._value = bytearray()

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header_bytes(end - start)
        self._header_field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header_bytes(end - start)
        self._header_value += data[start:end]

    def _count_header_bytes(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > MAX_PART_HEADER_BYTES:
            raise InvalidPayload(
                f"A form part's headers are too large (at most {MAX_PART_HEADER_BYTES} bytes)"
            )

    def header_end(self) -> None:
        self._header_count += 1
        if self._header_count > MAX_PART_HEADERS:
            raise InvalidPayload(f"A form part has too many headers (at most {MAX_PART_HEADERS})")
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self._is_file = self._name == FILE_FIELD and filename is not None
        if self._is_file:
            if self._seen_file:
                raise InvalidPayload("file: send one file per request")
            self._seen_file = True
            self.filename = (filename or b"").decode("utf-8", "replace")
            self.declared_type = self._headers.get(b"content-type", b"").decode("latin-1")
            # Closed in receive_upload (or discard()), after the last part arrives.
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
                dir=self.spool_dir, prefix="upload-", delete=False
            )
            self.file, self.path = handle, Path(handle.name)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._is_file:
            assert self.file is not None
            block = data[start:end]
            self.size += len(block)
            if self.size > self.max_bytes:
                raise UploadTooLarge(
                    f"The file is larger than the {self.max_bytes // (1024 * 1024)} MB limit"
                )
            self.hasher.update(block)
            self.file.write(block)
        else:
            self._value += data[start:end]
            if len(self._value) > MAX_FIELD_BYTES:
                raise InvalidPayload(f"{self._name}: form field too long")

    def part_end(self) -> None:
        if not self._is_file and self._name:
            self.fields[self._name] = self._value.decode("utf-8", "replace")

    def discard(self) -> None:
        if self.file is not None:
            self.file.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)


async def receive_upload(
    content_type: str, body: AsyncIterator[bytes], spool_dir: Path, max_bytes: int
) -> ReceivedUpload:
    """Parse a multipart body into a spooled file plus form fields; the caller deletes the file."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise InvalidPayload("Send the file as multipart/form-data with a `file` field")
    await asyncio.to_thread(spool_dir.mkdir, parents=True, exist_ok=True)
    receiver = _Receiver(spool_dir, max_bytes)
    parser = MultipartParser(boundary, receiver.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in body:
            parser.write(chunk)
        parser.finalize()
    except (UploadTooLarge, InvalidPayload, OSError):  # OSError: the spool's disk, not the body
        receiver.discard()
        raise
    except Exception as exc:  # the multipart parser's own errors: a malformed body
        receiver.discard()
        raise InvalidPayload(f"Malformed multipart body: {exc}") from exc
    if receiver.file is None or receiver.path is None:
        raise InvalidPayload("file: field required (multipart/form-data with a `file` part)")
    receiver.file.close()
    if receiver.size == 0:
        receiver.path.unlink(missing_ok=True)
        raise EmptyUpload()
    return ReceivedUpload(
        path=receiver.path,
        filename=receiver.filename or "upload",
        size=receiver.size,
        sha256=receiver.hasher.hexdigest(),
        declared_type=receiver.declared_type,
        fields=receiver.fields,
    )
