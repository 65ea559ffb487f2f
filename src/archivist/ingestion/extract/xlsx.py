"""XLSX text with openpyxl (read-only, cached values): one page per sheet under a "Sheet: <name>"
heading, its rows as `base.table_text` writes them. Runs in the child."""

import datetime as dt
from typing import BinaryIO

from openpyxl import load_workbook

from archivist.ingestion.extract.base import ExtractionError, Page, table_text

DAMAGED = "The XLSX file is damaged and could not be parsed"


def extract_xlsx(source: BinaryIO, max_chars: int) -> tuple[list[Page], bool]:
    """Pages per sheet, and whether rows past `max_chars` of text were left unread."""
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as exc:
        raise ExtractionError(DAMAGED) from exc
    pages: list[Page] = []
    budget = max_chars
    truncated = False
    try:
        for sheet in workbook.worksheets:
            # The stored dimension may be stale or missing; reading every row is the safe choice.
            sheet.reset_dimensions()
            rows: list[list[str]] = []
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell(value) for value in row]
                while cells and not cells[-1]:
                    cells.pop()
                if not cells:
                    continue
                rows.append(cells)
                budget -= sum(len(cell) + 1 for cell in cells)
                if budget < 0:
                    # Stop reading a huge sheet early instead of building text that is cut anyway.
                    truncated = True
                    break
            if rows:
                pages.append(Page(number=None, text=f"Sheet: {sheet.title}\n\n{table_text(rows)}"))
            if truncated:
                break
    except MemoryError:
        raise
    except Exception as exc:
        raise ExtractionError(DAMAGED) from exc
    finally:
        workbook.close()
    return pages, truncated


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    # Tabs and newlines inside a cell would break the row layout.
    return " ".join(str(value).split())
