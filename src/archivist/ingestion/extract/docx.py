"""DOCX text with python-docx: paragraphs and tables in document order. Runs in the child."""

from collections.abc import Iterator
from typing import Any, BinaryIO

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from archivist.ingestion.extract.base import ExtractionError, Page

DAMAGED = "The DOCX file is damaged and could not be parsed"
_P = qn("w:p")
_TBL = qn("w:tbl")
# Properties and other non-content children that never hold body text.
_SKIP = frozenset(qn(tag) for tag in ("w:sectPr", "w:tblPr", "w:tblGrid", "w:sdtPr", "w:pPr"))


def extract_docx(source: BinaryIO) -> list[Page]:
    try:
        document = docx.Document(source)
        blocks = list(_blocks(document.element.body, document))
    except MemoryError:
        raise
    except Exception as exc:
        raise ExtractionError(DAMAGED) from exc
    return [Page(number=None, text="\n\n".join(block for block in blocks if block.strip()))]


def _blocks(container: Any, parent: Any) -> Iterator[str]:
    """Paragraph and table texts under `container`, in order.

    Walks the XML rather than `iter_inner_content()` so paragraphs wrapped in content controls
    (`w:sdt`, used by cover pages and tables of contents) or tracked insertions are not lost.
    """
    for child in container.iterchildren():
        tag = child.tag
        if tag == _P:
            yield Paragraph(child, parent).text
        elif tag == _TBL:
            yield _table_text(Table(child, parent))
        elif isinstance(tag, str) and tag not in _SKIP:
            yield from _blocks(child, parent)


def _table_text(table: Table) -> str:
    seen: set[Any] = set()
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            # Merged cells come back once per grid column/row they span; keep the first.
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            text = " ".join(part.strip() for part in _blocks(cell._tc, cell) if part.strip())
            cells.append(text)
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)
