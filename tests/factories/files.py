"""Sample files of every supported format (and some hostile ones), generated on the fly."""

import random
import struct
import zipfile
import zlib
from collections.abc import Sequence
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import docx
import openpyxl
import pptx
from pypdf import PdfReader, PdfWriter

# Western European text with letters and typographic quotes that cp1252 has but ASCII lacks.
ACCENTED = (
    "Le café de Müller servait des crêpes \u201cmaison\u201d à l\u2019heure du goûter; "
    "Zoë était ravie.\n"
)
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def pdf_bytes(pages: Sequence[str]) -> bytes:
    """A minimal valid PDF: one page per string (lines split on newlines), Helvetica 12 pt.

    Text is WinAnsi-encoded, so Latin-1 letters such as é and ü survive extraction.
    """
    count = len(pages)
    # Object numbers: 1 catalog, 2 page tree, 3 font, then (page, content) pairs.
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    kids = []
    for index, text in enumerate(pages):
        page_id, content_id = 4 + 2 * index, 5 + 2 * index
        kids.append(f"{page_id} 0 R".encode())
        stream = b""
        if text:
            lines = [_pdf_string(line) for line in text.split("\n")]
            stream = b"BT /F1 12 Tf 14 TL 72 720 Td " + b" T* ".join(
                b"(" + line + b") Tj" for line in lines
            )
            stream += b" ET"
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents "
            + f"{content_id} 0 R".encode()
            + b" >>"
        )
        objects[content_id] = (
            f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream"
        )
    objects[2] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + f"] /Count {count} >>".encode()

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n"
    xref_at = len(out)
    size = max(objects) + 1
    out += f"xref\n0 {size}\n".encode() + b"0000000000 65535 f \n"
    for number in range(1, size):
        out += f"{offsets[number]:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def make_pdf(path: Path, pages: Sequence[str]) -> Path:
    path.write_bytes(pdf_bytes(pages))
    return path


def make_encrypted_pdf(
    path: Path, pages: Sequence[str], password: str = "secret", owner_password: str = "owner"
) -> Path:
    """An RC4-encrypted PDF (no crypto library needed); `password=""` opens without one."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf_bytes(pages))))
    writer.encrypt(password, owner_password)
    with path.open("wb") as f:
        writer.write(f)
    return path


def make_corrupt_pdf(path: Path) -> Path:
    """A PDF header followed by garbage: no objects, no xref, nothing to recover."""
    garbage = random.Random(7).randbytes(4096).replace(b"obj", b"xxx")
    path.write_bytes(b"%PDF-1.7\n" + garbage)
    return path


def make_docx(
    path: Path, paragraphs: Sequence[str], table: Sequence[Sequence[str]] | None = None
) -> Path:
    """Paragraphs, then (if given) a table, then a closing paragraph "The end."."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
        document.add_paragraph("The end.")
    document.save(str(path))
    return path


def make_pptx(
    path: Path,
    slides: Sequence[tuple[str, str]],
    notes: dict[int, str] | None = None,
    table: tuple[int, Sequence[Sequence[str]]] | None = None,
) -> Path:
    """Title-and-content slides `(title, body)`; `notes` and `table` keyed by 1-based slide."""
    presentation = pptx.Presentation()
    layout = presentation.slide_layouts[1]
    for number, (title, body) in enumerate(slides, start=1):
        slide = presentation.slides.add_slide(layout)
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
        if notes and number in notes:
            slide.notes_slide.notes_text_frame.text = notes[number]
        if table and table[0] == number:
            rows = table[1]
            emu = pptx.util.Inches(1)
            frame = slide.shapes.add_table(len(rows), len(rows[0]), emu, emu * 4, emu * 6, emu)
            for r, values in enumerate(rows):
                for c, value in enumerate(values):
                    frame.table.cell(r, c).text = value
    presentation.save(str(path))
    return path


def make_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    workbook = openpyxl.Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def make_big_xlsx(path: Path, rows: int, cols: int = 10) -> Path:
    """A spreadsheet large enough that reading it takes seconds."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    for r in range(rows):
        sheet.append([f"r{r}c{c}" for c in range(cols)])
    workbook.save(path)
    return path


def make_eml(
    path: Path,
    subject: str,
    body: str,
    *,
    html_body: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    sender: str = "Alice Example <alice@example.com>",
    to: str = "Bob Example <bob@example.com>",
) -> Path:
    """A MIME message; `attachments` are `(filename, data, "type/subtype")`."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Date"] = "Tue, 04 Mar 2025 10:15:00 +0000"
    message["Subject"] = subject
    message.set_content(body)
    if html_body is not None:
        message.add_alternative(html_body, subtype="html")
    for filename, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    path.write_bytes(bytes(message))
    return path


def make_zip_bomb(path: Path, expanded_mb: int = 300) -> Path:
    """A DOCX-looking ZIP with a member of `expanded_mb` MB of zeros (about 1000:1).

    Streamed in 1 MB chunks, so building it needs little memory.
    """
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("word/document.xml", _DOCUMENT_XML)
        with zf.open("word/media/padding.bin", "w", force_zip64=True) as member:
            for _ in range(expanded_mb):
                member.write(chunk)
    return path


def make_zip64(
    path: Path, members: Sequence[tuple[str, bytes]], declared_sizes: dict[str, int] | None = None
) -> Path:
    """A ZIP64 archive written by hand, stored (uncompressed) members.

    Every local header and central directory record keeps its sizes and offset in a ZIP64 extra
    field, and the end record says 0xFFFF entries, leaving the count to the ZIP64 end record:
    the shape of archives past 65,535 entries or 4 GB. `declared_sizes` overrides a member's
    uncompressed size in the central directory (a lie a zip bomb would tell).
    """
    declared = declared_sizes or {}
    body = bytearray()
    directory = bytearray()
    for name, data in members:
        encoded = name.encode()
        crc = zlib.crc32(data)
        size = declared.get(name, len(data))
        offset = len(body)
        body += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
            len(encoded), 20,
        )  # fmt: skip
        body += encoded + struct.pack("<HHQQ", 1, 16, len(data), len(data)) + data
        directory += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 45, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF,
            len(encoded), 28, 0, 0, 0, 0, 0xFFFFFFFF,
        )  # fmt: skip
        directory += encoded + struct.pack("<HHQQQ", 1, 24, size, len(data), offset)
    count, end64_at = len(members), len(body) + len(directory)
    end64 = struct.pack(
        "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory), len(body)
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, end64_at, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path.write_bytes(bytes(body + directory) + end64 + locator + end)
    return path


def zip_members(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(name, zf.read(name)) for name in zf.namelist()]


def make_png(path: Path) -> Path:
    path.write_bytes(PNG_1X1)
    return path


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Boom</w:t></w:r></w:p></w:body></w:document>"
)
