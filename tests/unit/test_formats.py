"""File-type sniffing: decided by content, with the name only breaking ties between text kinds."""

import json
import struct
import zipfile
from pathlib import Path

import pytest

from archivist.ingestion.formats import (
    HEAD_SIZE,
    MAX_ZIP_ENTRIES,
    MIME_TYPES,
    Format,
    UnsupportedFileType,
    kind_for_mime,
    sniff,
    sniff_file,
)
from tests.factories.files import (
    ACCENTED,
    PNG_1X1,
    make_docx,
    make_eml,
    make_pdf,
    make_png,
    make_pptx,
    make_xlsx,
    make_zip64,
    pdf_bytes,
    zip_members,
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_pdf_is_recognized_by_its_header_whatever_its_name(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "notes.txt", ["Hello"])
    assert sniff_file(path, "notes.txt") == Format("pdf", "application/pdf")


def test_pdf_header_after_leading_junk_is_still_a_pdf() -> None:
    head = b"\r\n" * 100 + pdf_bytes(["Hello"])
    assert sniff(head, "scan").kind == "pdf"


def test_png_named_pdf_is_unsupported(tmp_path: Path) -> None:
    path = make_png(tmp_path / "report.pdf")
    with pytest.raises(UnsupportedFileType, match="PNG images are not supported"):
        sniff_file(path, "report.pdf")


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "GIF images"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG images"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(56), "Executable files"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "Executable files"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "Gzip archives"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(8), "Legacy Microsoft Office"),
        (b"{\\rtf1\\ansi hello}", "RTF documents"),
        (b"plain words\x00\x01\x02 with NUL bytes", "Unrecognized binary file"),
        (bytes(range(256)) * 4, "Unrecognized binary file"),
    ],
)
def test_binary_content_is_unsupported(head: bytes, reason: str) -> None:
    with pytest.raises(UnsupportedFileType, match=reason):
        sniff(head, "upload.txt")


def test_text_starting_with_letters_of_a_binary_magic_is_still_text() -> None:
    assert sniff(b"MZ Holdings annual report\nRevenue grew.\n", "report.txt").kind == "text"


def test_empty_file_is_unsupported(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.txt", b"")
    with pytest.raises(UnsupportedFileType, match="The file is empty"):
        sniff_file(path, "empty.txt")


def test_office_documents_are_recognized_by_their_zip_entries(tmp_path: Path) -> None:
    docx = make_docx(tmp_path / "a.bin", ["Hello"])
    pptx = make_pptx(tmp_path / "b.zip", [("Title", "Body")])
    xlsx = make_xlsx(tmp_path / "c.docx", {"Sheet": [["a", 1]]})
    assert sniff_file(docx, "a.bin") == Format("docx", MIME_TYPES["docx"])
    assert sniff_file(pptx, "b.zip") == Format("pptx", MIME_TYPES["pptx"])
    assert sniff_file(xlsx, "c.docx") == Format("xlsx", MIME_TYPES["xlsx"])
    assert MIME_TYPES["docx"].endswith("wordprocessingml.document")
    assert MIME_TYPES["pptx"].endswith("presentationml.presentation")
    assert MIME_TYPES["xlsx"].endswith("spreadsheetml.sheet")


def test_office_document_head_is_recognized_best_effort(tmp_path: Path) -> None:
    docx = make_docx(tmp_path / "a.docx", ["Hello"])
    assert sniff(docx.read_bytes()[:HEAD_SIZE], "a.docx").kind == "docx"


def test_plain_zip_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "photos.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(UnsupportedFileType, match="ZIP archives are not supported"):
        sniff_file(path, "photos.docx")


def test_opendocument_is_unsupported_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "letter.odt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(UnsupportedFileType, match="OpenDocument"):
        sniff_file(path, "letter.odt")


def test_truncated_zip_is_unsupported(tmp_path: Path) -> None:
    docx = make_docx(tmp_path / "a.docx", ["Hello"])
    path = write(tmp_path, "cut.docx", docx.read_bytes()[:200])
    with pytest.raises(UnsupportedFileType, match="damaged or truncated ZIP"):
        sniff_file(path, "cut.docx")


def test_zip64_archive_is_recognized(tmp_path: Path) -> None:
    members = zip_members(make_docx(tmp_path / "plain.docx", ["Hello"]))
    path = make_zip64(tmp_path / "big.docx", members)
    assert sniff_file(path, "big.docx").kind == "docx"


def test_zip64_archive_with_too_many_entries_is_refused(tmp_path: Path) -> None:
    # ZIP64 sets the end record's 16-bit count to 0xFFFF, which the old check skipped.
    members = zip_members(make_docx(tmp_path / "plain.docx", ["Hello"]))
    members += [(f"f{index}", b"") for index in range(MAX_ZIP_ENTRIES)]
    path = make_zip64(tmp_path / "many.docx", members)
    with pytest.raises(UnsupportedFileType, match="too many entries"):
        sniff_file(path, "many.docx")


def test_zip_whose_end_record_understates_its_entries_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "liar.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        for index in range(MAX_ZIP_ENTRIES):
            zf.writestr(f"f{index}", b"")
    data = bytearray(path.read_bytes())
    data[-22 + 8 : -22 + 12] = struct.pack("<HH", 3, 3)  # "3 entries"; zipfile never checks
    path.write_bytes(bytes(data))
    with pytest.raises(UnsupportedFileType, match="too many entries"):
        sniff_file(path, "liar.docx")


def test_zip_with_too_many_entries_is_refused_before_listing(tmp_path: Path) -> None:
    path = tmp_path / "many.docx"
    with zipfile.ZipFile(path, "w") as zf:
        for index in range(MAX_ZIP_ENTRIES + 1):
            zf.writestr(f"f{index}", b"")
    with pytest.raises(UnsupportedFileType, match="too many entries"):
        sniff_file(path, "many.docx")


def test_email_is_recognized_by_its_headers(tmp_path: Path) -> None:
    path = make_eml(tmp_path / "message.txt", "Hello", "Body")
    assert sniff_file(path, "message.txt") == Format("email", "message/rfc822")


def test_email_is_recognized_by_its_name() -> None:
    assert sniff(b"just a body without headers\n", "saved.eml").kind == "email"


def test_received_headers_with_folded_lines_are_email() -> None:
    head = (
        b"Received: from mx.example.com (mx.example.com [192.0.2.1])\r\n"
        b"\tby mail.example.org; Tue, 4 Mar 2025 10:15:00 +0000\r\n"
        b"Return-Path: <a@example.com>\r\n\r\nbody\r\n"
    )
    assert sniff(head, "x").kind == "email"


def test_one_header_like_line_is_not_email() -> None:
    assert sniff(b"Subject: my thoughts\n\nSome notes.\n", "notes.txt").kind == "text"


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"<!DOCTYPE html>\n<html><body><p>Hi</p></body></html>", "page.txt"),
        (b"  <html lang='en'><body>Hi</body></html>", "page"),
        (b"<?xml version='1.0'?>\n<!-- x -->\n<html><body>Hi</body></html>", "page.xhtml"),
        (b"<div><p>Fragment</p></div>", "fragment.html"),
    ],
)
def test_html_is_recognized(head: bytes, name: str) -> None:
    assert sniff(head, name) == Format("html", "text/html")


def test_markdown_mentioning_html_later_is_markdown() -> None:
    head = b"# Guide\n\nUse a <div> or an <html> tag.\n"
    assert sniff(head, "guide.md") == Format("markdown", "text/markdown")


def test_html_name_without_tags_is_text() -> None:
    assert sniff(b"no tags at all", "page.html").kind == "text"


def test_json_is_recognized_by_content(tmp_path: Path) -> None:
    path = write(tmp_path, "data.txt", json.dumps({"name": "Ann", "tags": [1, 2]}).encode())
    assert sniff_file(path, "data.txt") == Format("json", "application/json")


@pytest.mark.parametrize("name", ["deep.json", "deep.txt"])
def test_json_nested_too_deep_to_parse_is_still_json(name: str) -> None:
    head = b"[" * 20_000 + b"]" * 20_000
    assert sniff(head, name).kind == "json"


def test_truncated_json_head_is_json_when_named_so() -> None:
    head = b'{"items": [' + b'{"a": 1},' * (HEAD_SIZE // 9)
    head = head[:HEAD_SIZE]
    assert sniff(head, "dump.json").kind == "json"
    assert sniff(head, "dump.txt").kind == "text"


def test_invalid_json_named_json_is_text() -> None:
    assert sniff(b"not json at all", "data.json").kind == "text"


def test_markdown_link_at_start_is_not_json() -> None:
    assert sniff(b"[link](https://example.com) and more\n", "readme.md").kind == "markdown"


@pytest.mark.parametrize(
    ("name", "kind", "mime"),
    [
        ("table.csv", "csv", "text/csv"),
        ("table.tsv", "csv", "text/csv"),
        ("notes.md", "markdown", "text/markdown"),
        ("notes.markdown", "markdown", "text/markdown"),
        ("notes.txt", "text", "text/plain"),
        ("notes", "text", "text/plain"),
    ],
)
def test_text_kinds_follow_the_name(name: str, kind: str, mime: str) -> None:
    assert sniff(b"a,b\n1,2\n", name) == Format(kind, mime)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "shift_jis"])
def test_text_in_common_encodings_is_text(encoding: str) -> None:
    text = ACCENTED if encoding != "shift_jis" else "東京は晴れています。テストの文章です。\n" * 3
    assert sniff(text.encode(encoding), "notes.txt").kind == "text"


def test_latin1_text_is_text() -> None:
    assert sniff("Grüße aus München, café crème.\n".encode("latin-1"), "a.txt").kind == "text"


def test_utf8_cut_inside_a_character_at_the_head_boundary_is_text() -> None:
    head = ("é" * HEAD_SIZE).encode()[: HEAD_SIZE - 1]
    assert sniff(head, "long.txt").kind == "text"


def test_png_bytes_are_never_text() -> None:
    with pytest.raises(UnsupportedFileType):
        sniff(PNG_1X1, "image.txt")


def test_kind_for_mime_inverts_the_mime_types() -> None:
    for kind, mime in MIME_TYPES.items():
        assert kind_for_mime(mime) == kind
    assert kind_for_mime("Text/Plain; charset=utf-8") == "text"
    assert kind_for_mime("image/png") is None
