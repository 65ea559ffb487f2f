"""Markdown, plain text, CSV and JSON: decoding only, so these run in the calling process.

Also used by the child for text-like e-mail attachments.
"""

import csv
import io
import json
from pathlib import Path

from archivist.ingestion.extract.base import ExtractionError, Page
from archivist.ingestion.formats import CSV, JSON, decode_text

NOT_TEXT = "The file is not valid text in any known encoding"
# UTF-8 needs at most 4 bytes a character, so this many bytes always covers the text cap.
BYTES_PER_CHAR = 4
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def read_text(path: Path, max_chars: int) -> tuple[str, bool]:
    """The decoded file, read no further than `max_chars` could need; and whether it was cut."""
    limit = max_chars * BYTES_PER_CHAR
    with path.open("rb") as f:
        data = f.read(limit + 1)
    truncated = len(data) > limit
    data = data[:limit]
    if not data.startswith(_WIDE_BOMS):
        # Sniffing saw no NUL in the head; a stray one further on should not sink the file.
        data = data.replace(b"\x00", b"")
    text = decode_text(data, truncated=truncated)
    if text is None:
        raise ExtractionError(NOT_TEXT)
    return text, truncated


def extract_text(path: Path, kind: str, max_chars: int) -> tuple[list[Page], bool]:
    text, truncated = read_text(path, max_chars)
    text = render_text(text, kind, tsv=path.suffix.lower() == ".tsv")
    return [Page(number=None, text=text)], truncated


def render_text(text: str, kind: str, *, tsv: bool = False) -> str:
    """The readable form of decoded `text` of `kind` (JSON and CSV are reshaped; others as is)."""
    if kind == JSON:
        return _json_text(text)
    if kind == CSV:
        return _csv_text(text, tsv=tsv)
    return text


def _json_text(text: str) -> str:
    try:
        return "\n".join(_json_lines(json.loads(text), 0))
    except (ValueError, RecursionError):
        return text  # invalid or absurdly deep JSON is still worth indexing as text


def _json_lines(value: object, depth: int) -> list[str]:
    """YAML-like lines: `key: value` for scalars, nested containers indented below their key."""
    pad = "  " * depth
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:")
                lines.extend(_json_lines(item, depth + 1))
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}-")
                lines.extend(_json_lines(item, depth + 1))
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    else:
        lines.append(f"{pad}{_scalar(value)}")
    return lines


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    return str(value)


def _csv_text(text: str, *, tsv: bool) -> str:
    if tsv:
        delimiter = "\t"
    else:
        try:
            delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        lines = ["\t".join(" ".join(cell.split()) for cell in row) for row in rows]
    except csv.Error:
        return text  # e.g. a field over the csv module's size limit
    return "\n".join(line for line in lines if line.strip())
