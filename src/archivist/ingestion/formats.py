"""Decide what an upload is from its bytes, not its name.

`sniff_file` is the entry point: it reads the head of the file and, for ZIP containers, the
central directory (the only place that lists every entry) once its size is known to be sane.
`sniff` decides from the head alone and is exact for everything except ZIP-based formats, where
it can only look for the entry names in the local headers that happen to fall inside the head.

This module is imported by the extraction child process, so it stays free of web-framework
imports; the ingestion service maps `UnsupportedFileType` to its HTTP error.
"""

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from charset_normalizer import from_bytes

HEAD_SIZE = 64 * 1024
# A real DOCX/PPTX/XLSX has tens to a few thousand entries; a central directory with millions
# of entries costs hundreds of MB just to list, so it is refused before `zipfile` reads it.
MAX_ZIP_ENTRIES = 20_000
_ZIP_RECORD = b"PK\x01\x02"  # a central directory record's signature
_SCAN_BLOCK = 1024 * 1024

PDF = "pdf"
DOCX = "docx"
PPTX = "pptx"
XLSX = "xlsx"
HTML = "html"
MARKDOWN = "markdown"
TEXT = "text"
CSV = "csv"
EMAIL = "email"
JSON = "json"

MIME_TYPES: dict[str, str] = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    HTML: "text/html",
    MARKDOWN: "text/markdown",
    TEXT: "text/plain",
    CSV: "text/csv",
    EMAIL: "message/rfc822",
    JSON: "application/json",
}
KINDS = frozenset(MIME_TYPES)
_KINDS_BY_MIME = {mime: kind for kind, mime in MIME_TYPES.items()}
# Kinds whose content is plain decoded text (no container to parse).
TEXT_KINDS = frozenset({MARKDOWN, TEXT, CSV, JSON})


class UnsupportedFileType(Exception):
    """The upload is not a format Archivist can extract text from; `detail` says why."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


@dataclass(frozen=True)
class Format:
    kind: str
    mime_type: str


def kind_for_mime(mime_type: str) -> str | None:
    """The kind a stored `Format.mime_type` stands for; None for a type this module never gives."""
    base = mime_type.split(";", 1)[0].strip().lower()
    return _KINDS_BY_MIME.get(base)


def _format(kind: str) -> Format:
    return Format(kind=kind, mime_type=MIME_TYPES[kind])


# (magic, offset, reason) for binary formats recognised only to give a precise refusal.
_BINARY_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\x89PNG\r\n\x1a\n", 0, "PNG images are not supported (no text to extract)"),
    (b"GIF87a", 0, "GIF images are not supported (no text to extract)"),
    (b"GIF89a", 0, "GIF images are not supported (no text to extract)"),
    (b"\xff\xd8\xff", 0, "JPEG images are not supported (no text to extract)"),
    (b"II*\x00", 0, "TIFF images are not supported (no text to extract)"),
    (b"MM\x00*", 0, "TIFF images are not supported (no text to extract)"),
    (b"\x00\x00\x01\x00", 0, "Icon files are not supported (no text to extract)"),
    (b"\x7fELF", 0, "Executable files are not supported"),
    (b"MZ", 0, "Executable files are not supported"),
    (b"\xca\xfe\xba\xbe", 0, "Executable files are not supported"),
    (b"\xcf\xfa\xed\xfe", 0, "Executable files are not supported"),
    (b"\x1f\x8b", 0, "Gzip archives are not supported"),
    (b"BZh", 0, "Bzip2 archives are not supported"),
    (b"\xfd7zXZ\x00", 0, "XZ archives are not supported"),
    (b"(\xb5/\xfd", 0, "Zstandard archives are not supported"),
    (b"7z\xbc\xaf\x27\x1c", 0, "7-Zip archives are not supported"),
    (b"Rar!\x1a\x07", 0, "RAR archives are not supported"),
    (b"ustar", 257, "TAR archives are not supported"),
    (b"SQLite format 3\x00", 0, "SQLite databases are not supported"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        0,
        "Legacy Microsoft Office files (.doc, .xls, .ppt, .msg) are not supported; "
        "save the file as .docx, .xlsx or .pptx",
    ),
    (b"{\\rtf", 0, "RTF documents are not supported; save the file as .docx or PDF"),
    (b"ID3", 0, "Audio files are not supported"),
    (b"OggS", 0, "Audio and video files are not supported"),
    (b"fLaC", 0, "Audio files are not supported"),
    (b"\x1aE\xdf\xa3", 0, "Video files are not supported"),
    (b"ftyp", 4, "Audio and video files are not supported"),
    (b"wOFF", 0, "Font files are not supported"),
    (b"wOF2", 0, "Font files are not supported"),
    (b"\x00asm", 0, "WebAssembly files are not supported"),
]
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OOXML_MAIN_PARTS = {
    "word/document.xml": DOCX,
    "ppt/presentation.xml": PPTX,
    "xl/workbook.xml": XLSX,
}

_EMAIL_HEADERS = frozenset(
    {"from", "to", "cc", "subject", "date", "mime-version", "received", "return-path"}
    | {"message-id", "reply-to", "sender", "delivered-to", "content-type", "x-mailer"}
)
_EMAIL_REQUIRED = frozenset(
    {"from", "to", "subject", "date", "mime-version", "received", "return-path"}
)
# Latin-script single-byte code pages that charset-normalizer often prefers to cp1252 on
# short Western European text, turning "crêpes" into "crźpes".
_LATIN_CODEPAGES = frozenset(
    {"cp1250", "cp1257", "cp775", "cp850", "cp852", "cp437", "latin_1", "mac_roman"}
    | {"mac_latin2", "iso8859_2", "iso8859_4", "iso8859_10", "iso8859_13", "iso8859_15"}
    | {"iso8859_16"}
)
_CP1252_CHAOS_TOLERANCE = 0.05
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*):(?:[ \t]|$)")
_HTML_START = re.compile(
    r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?/?>")


def sniff_file(path: Path, filename: str) -> Format:
    """The format of the file at `path`; `filename` (the uploader's name) only breaks ties."""
    with path.open("rb") as f:
        head = f.read(HEAD_SIZE)
    if head.startswith(_ZIP_MAGICS):
        return _sniff_zip(path)
    return sniff(head, filename)


def sniff(head: bytes, filename: str) -> Format:
    """The format from the first bytes of an upload (up to `HEAD_SIZE`).

    Raises `UnsupportedFileType` for binary content. ZIP-based formats are recognised only on a
    best-effort basis here (see `sniff_file`).
    """
    if not head:
        raise UnsupportedFileType("The file is empty")
    if b"%PDF-" in head[:1024]:
        return _format(PDF)
    if head.startswith(_ZIP_MAGICS):
        return _sniff_zip_head(head)
    for magic, offset, reason in _BINARY_SIGNATURES:
        if head[offset : offset + len(magic)] == magic and (
            # A magic made of letters ("MZ", "BZh", "ID3") could start a text file, so it
            # counts only when binary bytes follow.
            not magic.isascii() or not magic.isalnum() or b"\x00" in head[:1024]
        ):
            raise UnsupportedFileType(reason)
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        raise UnsupportedFileType("WebP images are not supported (no text to extract)")
    if head.startswith(b"RIFF") and b"\x00" in head[:16]:
        raise UnsupportedFileType("Audio and video files are not supported")

    text = decode_text(head, truncated=len(head) >= HEAD_SIZE)
    if text is None:
        raise UnsupportedFileType("Unrecognized binary file")
    return _format(_text_kind(text, filename, truncated=len(head) >= HEAD_SIZE))


def decode_text(data: bytes, *, truncated: bool = False) -> str | None:
    """`data` as text in its detected encoding, or None when it does not look like text.

    `truncated` says `data` was cut from a longer file, so a multi-byte character split at the
    end is not evidence of a wrong encoding.
    """
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    # Text never contains NUL; UTF-16 without a BOM is rare enough to refuse rather than guess.
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if truncated and exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            text = data[: exc.start].decode("utf-8")
        else:
            decoded = _detect_and_decode(data)
            if decoded is None:
                return None
            text = decoded
    if _looks_binary(text):
        return None
    return text


def _detect_and_decode(data: bytes) -> str | None:
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    if best.encoding in _LATIN_CODEPAGES:
        # cp1252 is by far the most common legacy encoding (and what browsers use for
        # "latin-1"), so it wins whenever it reads about as cleanly and as coherently.
        for match in matches:
            if (
                match.encoding == "cp1252"
                and match.chaos <= best.chaos + _CP1252_CHAOS_TOLERANCE
                and match.coherence >= best.coherence
            ):
                return str(match)
    return str(best)


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    controls = sum(
        1
        for ch in text[:HEAD_SIZE]
        if (ord(ch) < 32 and ch not in "\t\n\r\f\v\x1b") or 0x7F <= ord(ch) < 0xA0
    )
    return controls > max(2, len(text[:HEAD_SIZE]) // 100)


def _text_kind(text: str, filename: str, *, truncated: bool) -> str:
    suffix = PurePath(filename.lower()).suffix
    start = text.lstrip("\ufeff \t\r\n")
    if suffix == ".eml" or _starts_with_email_headers(start):
        return EMAIL
    if _HTML_START.match(start[:1024]) or (
        suffix in {".htm", ".html", ".xhtml"} and _TAG.search(start)
    ):
        return HTML
    if start[:1] in {"{", "["}:
        if suffix == ".json" and truncated:
            return JSON
        try:
            json.loads(start)
        except RecursionError:
            return JSON  # nested too deep to parse here; extraction refuses it with a reason
        except ValueError:
            pass
        else:
            return JSON
    if suffix in {".csv", ".tsv"}:
        return CSV
    if suffix in {".md", ".markdown", ".mdown", ".mkd"}:
        return MARKDOWN
    if suffix == ".json":
        # JSON whose top level is a scalar is still JSON; anything else named .json is text.
        try:
            json.loads(start)
        except RecursionError:
            return JSON
        except ValueError:
            return TEXT
        return JSON
    return TEXT


def _starts_with_email_headers(text: str) -> bool:
    lines = text.split("\n", 200)[:200]
    if lines and lines[0].startswith("From "):  # mbox separator line
        lines = lines[1:]
    known: set[str] = set()
    for index, raw in enumerate(lines):
        line = raw.rstrip("\r")
        if not line:
            break
        if line[0] in " \t" and index > 0:  # folded continuation of the previous header
            continue
        match = _HEADER_LINE.match(line)
        if match is None:
            return False
        name = match.group(1).lower()
        if name in _EMAIL_HEADERS:
            known.add(name)
    return len(known) >= 2 and bool(known & _EMAIL_REQUIRED)


def _sniff_zip_head(head: bytes) -> Format:
    odf = _odf_refusal(head)
    if odf:
        raise UnsupportedFileType(odf)
    for name, kind in _OOXML_MAIN_PARTS.items():
        if name.encode() in head:
            return _format(kind)
    raise UnsupportedFileType(
        "ZIP archives are not supported (no Word, PowerPoint or Excel document found)"
    )


def _odf_refusal(head: bytes) -> str | None:
    # OpenDocument and EPUB store an uncompressed `mimetype` entry first, right after its
    # 30-byte local header.
    if head[30:38] != b"mimetype":
        return None
    if head[38:80].startswith(b"application/vnd.oasis.opendocument"):
        return "OpenDocument files (.odt, .ods, .odp) are not supported; save as .docx/.xlsx/.pptx"
    if head[38:80].startswith(b"application/epub+zip"):
        return "EPUB e-books are not supported"
    return None


def _sniff_zip(path: Path) -> Format:
    with path.open("rb") as f:
        if zip_record_bound(f, MAX_ZIP_ENTRIES) > MAX_ZIP_ENTRIES:
            raise UnsupportedFileType(
                f"The ZIP archive has too many entries (more than {MAX_ZIP_ENTRIES})"
            )
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UnsupportedFileType("The file is a damaged or truncated ZIP archive") from exc
    for name, kind in _OOXML_MAIN_PARTS.items():
        if name in names:
            return _format(kind)
    with path.open("rb") as f:
        odf = _odf_refusal(f.read(128))
    if odf:
        raise UnsupportedFileType(odf)
    raise UnsupportedFileType(
        "ZIP archives are not supported (no Word, PowerPoint or Excel document found)"
    )


def zip_record_bound(f: BinaryIO, stop_after: int) -> int:
    """An upper bound on the central directory records `zipfile` will read from `f`, counted
    up to `stop_after` + 1.

    The entry count in the end record is only a claim (ZIP64 archives set it to 0xFFFF, and
    `zipfile` never checks it against the records it reads), so it cannot bound anything.
    Every record `zipfile` reads starts with the signature `PK\\x01\\x02` at its own offset,
    so counting the signature's occurrences in the whole file can only over-count. Reads the
    file once in 1 MB blocks; rewinds `f`.
    """
    count = 0
    tail = b""
    f.seek(0)
    while count <= stop_after and (block := f.read(_SCAN_BLOCK)):
        data = tail + block
        count += data.count(_ZIP_RECORD)
        # Keep 3 bytes: a signature split across blocks is counted in the next round, and
        # these 3 bytes alone cannot hold a whole one, so nothing is counted twice.
        tail = data[-(len(_ZIP_RECORD) - 1) :]
    f.seek(0)
    return count
