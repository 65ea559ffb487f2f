"""Markdown, plain text, CSV and JSON.

Markdown and plain text need decoding only and run in the calling process. CSV and JSON are
parsed, which a hostile file can make slow or huge, so they run in the sandboxed child (as do
e-mail attachments of these kinds), with explicit bounds on top of the child's time and memory:
nesting depth, field size, and rendering stops at the text cap.
"""

import csv
import io
import json
from pathlib import Path
from typing import BinaryIO

from archivist.ingestion.extract.base import ExtractionError, Page, table_text
from archivist.ingestion.formats import CSV, JSON, decode_text

NOT_TEXT = "The file is not valid text in any known encoding"
# UTF-8 needs at most 4 bytes a character, so this many bytes always covers the text cap.
BYTES_PER_CHAR = 4
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
MAX_JSON_DEPTH = 100
MAX_CSV_FIELD_CHARS = 1024 * 1024
TOO_DEEP = f"The JSON nests deeper than {MAX_JSON_DEPTH} levels; refusing to extract"
DEFAULT_MAX_CHARS = 5_000_000


def read_text(source: BinaryIO, max_chars: int) -> tuple[str, bool]:
    """The decoded file, read no further than `max_chars` could need; and whether it was cut."""
    limit = max_chars * BYTES_PER_CHAR
    data = source.read(limit + 1)
    truncated = len(data) > limit
    data = data[:limit]
    if not data.startswith(_WIDE_BOMS):
        # Sniffing saw no NUL in the head; a stray one further on should not sink the file.
        data = data.replace(b"\x00", b"")
    text = decode_text(data, truncated=truncated)
    if text is None:
        raise ExtractionError(NOT_TEXT)
    return text, truncated


def extract_text(path: Path, max_chars: int) -> tuple[list[Page], bool]:
    """Markdown or plain text, in the calling process."""
    with path.open("rb") as source:
        text, truncated = read_text(source, max_chars)
    return [Page(number=None, text=text)], truncated


def render_text(
    text: str, kind: str, *, tsv: bool = False, max_chars: int = DEFAULT_MAX_CHARS
) -> str:
    """The readable form of decoded `text` of `kind` (JSON and CSV are reshaped; others as is).

    Rendering stops soon after `max_chars`, where `finalize` cuts the text anyway. Raises
    ExtractionError for JSON nested deeper than `MAX_JSON_DEPTH`.
    """
    if kind == JSON:
        return _json_text(text, max_chars)
    if kind == CSV:
        return _csv_text(text, tsv=tsv, max_chars=max_chars)
    return text


def _json_text(text: str, max_chars: int) -> str:
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise ExtractionError(TOO_DEEP) from exc
    except ValueError:
        return text  # invalid (or cut) JSON is still worth indexing as text
    lines: list[str] = []
    _JsonRenderer(lines, max_chars).render(value, 0)
    return "\n".join(lines)


class _JsonRenderer:
    """YAML-like lines: `key: value` for scalars, nested containers indented below their key."""

    def __init__(self, lines: list[str], max_chars: int) -> None:
        self.lines = lines
        self.budget = max_chars

    def emit(self, line: str) -> bool:
        self.lines.append(line)
        self.budget -= len(line) + 1
        return self.budget > 0

    def render(self, value: object, depth: int) -> bool:
        """Emit `value`'s lines; False once the budget is spent (the caller stops too)."""
        if depth > MAX_JSON_DEPTH:
            raise ExtractionError(TOO_DEEP)
        pad = "  " * depth
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, dict | list) and item:
                    if not self.emit(f"{pad}{key}:") or not self.render(item, depth + 1):
                        return False
                elif not self.emit(f"{pad}{key}: {_scalar(item)}"):
                    return False
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict | list) and item:
                    if not self.emit(f"{pad}-") or not self.render(item, depth + 1):
                        return False
                elif not self.emit(f"{pad}- {_scalar(item)}"):
                    return False
        else:
            return self.emit(f"{pad}{_scalar(value)}")
        return True


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    return str(value)


def _csv_text(text: str, *, tsv: bool, max_chars: int) -> str:
    if tsv:
        delimiter = "\t"
    else:
        try:
            delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    # Process-wide, which is one reason CSV is parsed in the child, never in the worker.
    csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    rows: list[list[str]] = []
    budget = max_chars
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            cells = [" ".join(cell.split()) for cell in row]
            if any(cells):
                rows.append(cells)
                budget -= sum(len(cell) + 1 for cell in cells)
                if budget <= 0:
                    break
    except csv.Error:
        return text  # e.g. a field over the size limit: index it as plain text
    return table_text(rows)
