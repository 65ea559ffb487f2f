"""The extraction result types, the permanent-failure error, and the shared text cleaning."""

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import zip_longest

MB = 1024 * 1024
# The child's exit code for running out of memory (see `child`).
EXIT_MEMORY = 3


class ExtractionError(Exception):
    """A permanent failure: retrying the same file will fail the same way.

    The message is one human-readable line, fit to show to the uploader.
    """


@dataclass(frozen=True)
class ExtractionLimits:
    timeout_seconds: float = 60
    memory_mb: int = 1024
    max_uncompressed_mb: int = 200
    max_text_chars: int = 5_000_000


@dataclass
class Page:
    """One unit of text: a PDF page or PPTX slide (`number`, 1-based), or a whole document,
    sheet or message (`number` None)."""

    number: int | None
    text: str


@dataclass
class Extracted:
    """Only units with text are in `pages`; `page_count` counts every PDF page / PPTX slide
    (so a scanned PDF has `page_count` 3 and no pages). `truncated` means text past
    `ExtractionLimits.max_text_chars` was dropped."""

    pages: list[Page]
    page_count: int | None
    truncated: bool = field(default=False)

    @property
    def text(self) -> str:
        return "\n\n".join(page.text for page in self.pages)


# C0/C1 controls except tab and newline, lone surrogates, BOMs and non-characters.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_TRAILING_SPACE = re.compile(r"[^\S\n]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{4,}")


def clean_text(text: str) -> str:
    """Light normalization: newlines, control characters, trailing spaces, blank-line runs.

    Runs of more than two blank lines become two; leading and trailing blank lines go.
    """
    text = _LINE_BREAKS.sub("\n", text)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _TRAILING_SPACE.sub("", text)
    text = _BLANK_RUNS.sub("\n\n\n", text)
    return text.strip("\n")


def finalize(
    pages: list[Page], page_count: int | None, limits: ExtractionLimits, truncated: bool = False
) -> Extracted:
    """Clean every page, drop empty ones, and cap the total at `limits.max_text_chars`."""
    kept: list[Page] = []
    budget = limits.max_text_chars
    for page in pages:
        text = clean_text(page.text)
        if not text.strip():
            continue
        if len(text) > budget:
            text = text[:budget].rstrip()
            truncated = True
        if text:
            kept.append(Page(number=page.number, text=text))
        budget -= len(text)
        if budget <= 0:
            truncated = truncated or page is not pages[-1]
            break
    return Extracted(pages=kept, page_count=page_count, truncated=truncated)


def table_text(rows: list[list[str]]) -> str:
    """A sheet's or CSV file's rows as text. Under a header row (a first row of two or more
    labels, none of them a number) each row is its own paragraph, "Header: value; …", so that a
    row found by search or quoted in an answer says what its values are; else rows are
    tab-separated lines."""
    if len(rows) > 1 and _is_header(rows[0]):
        header = rows[0]
        described = []
        for row in rows[1:]:
            cells = [
                f"{label}: {value}" if label else value
                for label, value in zip_longest(header, row, fillvalue="")
                if value
            ]
            described.append("; ".join(cells))
        return "\n\n".join(described)
    return "\n".join("\t".join(row) for row in rows)


def _is_header(row: list[str]) -> bool:
    return len(row) > 1 and all(cell and not _NUMBER.fullmatch(cell) for cell in row)


_NUMBER = re.compile(r"[-+]?[\d.,\s]+%?")
