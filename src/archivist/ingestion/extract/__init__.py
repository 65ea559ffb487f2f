"""Text extraction: `extract_file(path, kind)` for every kind `formats.sniff_file` returns.

Parsers of complex formats (PDF, Office, HTML, e-mail, CSV, JSON) run in a confined,
resource-limited child process (`sandbox`, `jail`), so a malicious or pathological file costs one
failed call, never the worker, and reaches neither the network nor other files. Markdown and
plain text only need decoding and run in the calling process. Failures caused by the file raise
`ExtractionError` with a one-line message for the uploader.
"""

from pathlib import Path

from archivist.ingestion.extract.base import (
    Extracted,
    ExtractionError,
    ExtractionLimits,
    Page,
    finalize,
)
from archivist.ingestion.extract.sandbox import extract_in_child
from archivist.ingestion.extract.text import extract_text
from archivist.ingestion.formats import KINDS, MARKDOWN, TEXT

__all__ = ["Extracted", "ExtractionError", "ExtractionLimits", "Page", "extract_file"]


def extract_file(path: Path, kind: str, limits: ExtractionLimits = ExtractionLimits()) -> Extracted:
    """The text of the file at `path`, which `sniff_file` identified as `kind`.

    Blocking (it may wait `limits.timeout_seconds` for the child): call it from a worker or a
    thread, not the event loop.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown file kind: {kind!r}")
    if kind in (MARKDOWN, TEXT):
        pages, truncated = extract_text(path, limits.max_text_chars)
        return finalize(pages, None, limits, truncated)
    return extract_in_child(path, kind, limits)
