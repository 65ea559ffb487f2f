"""PPTX text with python-pptx, one page per slide: text frames, tables, notes. Runs in the child."""

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from pptx import Presentation
from pptx.shapes.group import GroupShape

from archivist.ingestion.extract.base import ExtractionError, Page

DAMAGED = "The PPTX file is damaged and could not be parsed"


def extract_pptx(source: BinaryIO) -> tuple[list[Page], int]:
    try:
        presentation = Presentation(source)
        pages: list[Page] = []
        for number, slide in enumerate(presentation.slides, start=1):
            parts = [text for text in _shape_texts(slide.shapes) if text.strip()]
            if slide.has_notes_slide:
                frame = slide.notes_slide.notes_text_frame
                notes = frame.text.strip() if frame is not None else ""
                if notes:
                    parts.append(f"Notes:\n{notes}")
            pages.append(Page(number=number, text="\n\n".join(parts)))
    except MemoryError:
        raise
    except Exception as exc:
        raise ExtractionError(DAMAGED) from exc
    return pages, len(pages)


def _shape_texts(shapes: Iterable[Any]) -> Iterator[str]:
    for shape in shapes:
        if isinstance(shape, GroupShape):
            yield from _shape_texts(shape.shapes)
        elif shape.has_text_frame:
            yield shape.text_frame.text
        elif shape.has_table:
            yield "\n".join(
                # A merged range repeats as "spanned" cells after its origin; keep the origin.
                " | ".join(cell.text.strip() for cell in row.cells if not cell.is_spanned)
                for row in shape.table.rows
            )
