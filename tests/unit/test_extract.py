"""Text extraction for every format, its failure messages, and the child process's limits."""

import json
from pathlib import Path

import pytest

from archivist.ingestion.extract import (
    Extracted,
    ExtractionError,
    ExtractionLimits,
    Page,
    extract_file,
)
from archivist.ingestion.extract.base import clean_text
from archivist.ingestion.extract.text import MAX_CSV_FIELD_CHARS, MAX_JSON_DEPTH
from archivist.ingestion.formats import MAX_ZIP_ENTRIES, sniff_file
from tests.factories.files import (
    ACCENTED,
    PNG_1X1,
    make_corrupt_pdf,
    make_docx,
    make_eml,
    make_encrypted_pdf,
    make_pdf,
    make_pptx,
    make_xlsx,
    make_zip64,
    make_zip_bomb,
    pdf_bytes,
    zip_members,
)


def sniff_and_extract(path: Path, limits: ExtractionLimits = ExtractionLimits()) -> Extracted:
    return extract_file(path, sniff_file(path, path.name).kind, limits)


def big_html(path: Path) -> Path:
    """About 20 MB of small elements: seconds and hundreds of MB for BeautifulSoup to parse."""
    path.write_text("<html><body>" + "<div><p>word <b>bold</b></p></div>" * 600_000)
    return path


# PDF


def test_pdf_text_is_extracted_per_page(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "a.pdf", ["Hello first page\nwith café", "Second page (über)"])
    result = sniff_and_extract(path)
    assert result.page_count == 2
    assert [page.number for page in result.pages] == [1, 2]
    assert "Hello first page" in result.pages[0].text
    assert "café" in result.pages[0].text
    assert "Second page (über)" in result.pages[1].text


def test_pdf_named_txt_is_extracted_as_pdf(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "notes.txt", ["Quarterly numbers"])
    result = sniff_and_extract(path)
    assert result.page_count == 1
    assert result.pages == [Page(number=1, text="Quarterly numbers")]


def test_pdf_pages_without_text_are_counted_but_not_returned(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "a.pdf", ["Cover", "", "Back"])
    result = extract_file(path, "pdf")
    assert result.page_count == 3
    assert [(page.number, page.text) for page in result.pages] == [(1, "Cover"), (3, "Back")]


def test_pdf_without_any_text_has_no_pages(tmp_path: Path) -> None:
    result = extract_file(make_pdf(tmp_path / "scan.pdf", ["", ""]), "pdf")
    assert result.page_count == 2
    assert result.pages == []


def test_encrypted_pdf_fails_with_a_password_message(tmp_path: Path) -> None:
    path = make_encrypted_pdf(tmp_path / "locked.pdf", ["Top secret"], password="secret")
    with pytest.raises(ExtractionError) as info:
        extract_file(path, "pdf")
    assert str(info.value) == "The PDF is encrypted and cannot be read without its password"


def test_pdf_encrypted_with_an_empty_password_is_read(tmp_path: Path) -> None:
    path = make_encrypted_pdf(tmp_path / "restricted.pdf", ["Copy protected text"], password="")
    result = extract_file(path, "pdf")
    assert result.pages == [Page(number=1, text="Copy protected text")]


def test_corrupt_pdf_fails_as_damaged(tmp_path: Path) -> None:
    path = make_corrupt_pdf(tmp_path / "broken.pdf")
    with pytest.raises(ExtractionError) as info:
        extract_file(path, "pdf")
    assert str(info.value) == "The PDF is damaged and could not be parsed"


def test_truncated_pdf_fails_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(pdf_bytes(["Hello"])[:40])
    with pytest.raises(ExtractionError, match="The PDF is damaged"):
        extract_file(path, "pdf")


# Office


def test_docx_paragraphs_and_tables_come_in_document_order(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "a.docx",
        ["Introduction to the plan", "Budget follows"],
        table=[["Item", "Cost"], ["Rent", "1200"]],
    )
    result = sniff_and_extract(path)
    assert result.page_count is None
    assert len(result.pages) == 1
    text = result.pages[0].text
    assert result.pages[0].number is None
    assert text.index("Introduction") < text.index("Budget follows") < text.index("Rent")
    assert "Item | Cost\nRent | 1200" in text
    assert text.index("Rent") < text.index("The end.")


def test_empty_docx_has_no_pages(tmp_path: Path) -> None:
    result = extract_file(make_docx(tmp_path / "empty.docx", []), "docx")
    assert result.pages == []


def test_pptx_slides_are_numbered_with_notes_and_tables(tmp_path: Path) -> None:
    path = make_pptx(
        tmp_path / "deck.pptx",
        [("Roadmap", "Ship the beta"), ("", ""), ("Risks", "Hiring is slow")],
        notes={3: "Mention the recruiter"},
        table=(1, [["Quarter", "Goal"], ["Q1", "Beta"]]),
    )
    result = sniff_and_extract(path)
    assert result.page_count == 3
    assert [page.number for page in result.pages] == [1, 3]
    assert "Roadmap" in result.pages[0].text
    assert "Ship the beta" in result.pages[0].text
    assert "Quarter | Goal\nQ1 | Beta" in result.pages[0].text
    assert "Hiring is slow" in result.pages[1].text
    assert "Notes:\nMention the recruiter" in result.pages[1].text


def test_xlsx_sheets_become_tab_separated_rows_under_their_names(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "book.xlsx",
        {
            "Budget": [["Item", "Cost"], ["Rent", 1200], ["Coffee", 3.5], [None, None]],
            "Blank": [],
            "Notes": [["Remember", None, "the milk"]],
        },
    )
    result = sniff_and_extract(path)
    assert result.page_count is None
    assert [page.text for page in result.pages] == [
        "Sheet: Budget\n\nItem: Rent; Cost: 1200\n\nItem: Coffee; Cost: 3.5",
        "Sheet: Notes\n\nRemember\t\tthe milk",
    ]


def test_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    path = make_zip_bomb(tmp_path / "bomb.docx", expanded_mb=300)
    assert path.stat().st_size < 5 * 1024 * 1024
    assert sniff_file(path, "bomb.docx").kind == "docx"
    with pytest.raises(ExtractionError) as info:
        extract_file(path, "docx")
    assert str(info.value) == "The archive expands to more than 200 MB; refusing to extract"


def test_zip64_docx_is_extracted(tmp_path: Path) -> None:
    members = zip_members(make_docx(tmp_path / "plain.docx", ["Hello from ZIP64"]))
    path = make_zip64(tmp_path / "big.docx", members)
    assert extract_file(path, "docx").text == "Hello from ZIP64"


def test_zip64_docx_with_too_many_entries_is_refused_before_parsing(tmp_path: Path) -> None:
    members = zip_members(make_docx(tmp_path / "plain.docx", ["Hello"]))
    members += [(f"f{index}", b"") for index in range(MAX_ZIP_ENTRIES)]
    path = make_zip64(tmp_path / "many.docx", members)
    with pytest.raises(ExtractionError) as info:
        extract_file(path, "docx")
    assert (
        str(info.value)
        == f"The archive has more than {MAX_ZIP_ENTRIES} entries; refusing to extract"
    )


def test_zip64_member_sizes_count_toward_the_expansion_limit(tmp_path: Path) -> None:
    members = zip_members(make_docx(tmp_path / "plain.docx", ["Hello"]))
    members.append(("word/media/padding.bin", b"x" * 1000))
    path = make_zip64(tmp_path / "bomb.docx", members, {"word/media/padding.bin": 300 * 2**20})
    with pytest.raises(ExtractionError) as info:
        extract_file(path, "docx")
    assert str(info.value) == "The archive expands to more than 200 MB; refusing to extract"


def test_highly_compressed_archive_under_the_size_cap_is_refused(tmp_path: Path) -> None:
    path = make_zip_bomb(tmp_path / "bomb.docx", expanded_mb=20)
    with pytest.raises(ExtractionError, match=r"compressed \d+:1, which looks like a zip bomb"):
        extract_file(path, "docx")


def test_damaged_docx_fails_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ExtractionError, match="The DOCX file is damaged"):
        extract_file(path, "docx")


# HTML


def test_html_keeps_visible_text_and_block_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<!DOCTYPE html><html><head><title>Team page</title>"
        "<style>.secret-style { color: red }</style>"
        "<script>var secretScript = 1;</script><meta name='description' content='metadesc'>"
        "</head><body><h1>Welcome</h1><p>First\n   paragraph</p>"
        "<noscript>secretNoscript</noscript><template>secretTemplate</template>"
        "<div hidden>secretHidden</div><p style='display:none'>secretInline</p>"
        "<ul><li>Alpha</li><li>Beta</li></ul>"
        "<table><tr><th>Name</th><th>Role</th></tr><tr><td>Ann</td><td>Lead</td></tr></table>"
        "Line one<br>Line two<!-- secretComment --></body></html>"
    )
    text = sniff_and_extract(path).pages[0].text
    for hidden in ("secret", "metadesc", "color: red"):
        assert hidden not in text
    assert text.startswith("Team page\n\nWelcome\n\nFirst paragraph")
    assert "Alpha\nBeta" in text
    assert "Name | Role\nAnn | Lead" in text
    assert "Line one\nLine two" in text


def test_html_with_only_scripts_has_no_pages(tmp_path: Path) -> None:
    path = tmp_path / "app.html"
    path.write_text("<html><head><script>boot()</script></head><body></body></html>")
    assert extract_file(path, "html").pages == []


def test_html_in_a_legacy_encoding_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "old.html"
    path.write_bytes(
        b'<html><head><meta charset="windows-1252"></head><body><p>'
        + ACCENTED.encode("cp1252")
        + b"</p></body></html>"
    )
    assert extract_file(path, "html").pages[0].text == ACCENTED.strip()


# Plain-text kinds


def test_markdown_is_kept_as_written(tmp_path: Path) -> None:
    path = tmp_path / "guide.md"
    path.write_text("# Setup\n\nRun `make up`.\n\n\n\n\n- step one   \n- step two\n")
    result = sniff_and_extract(path)
    assert result.page_count is None
    assert result.pages == [Page(None, "# Setup\n\nRun `make up`.\n\n\n- step one\n- step two")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252"])
def test_text_in_legacy_and_unicode_encodings_is_decoded(tmp_path: Path, encoding: str) -> None:
    data = ACCENTED.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path = tmp_path / "notes.txt"
    path.write_bytes(data)
    assert sniff_and_extract(path).pages == [Page(None, ACCENTED.strip())]


def test_latin1_text_is_decoded(tmp_path: Path) -> None:
    text = "Grüße aus München: schöne Äpfel, Crème brûlée und ein Café für Zoë.\n"
    path = tmp_path / "notes.txt"
    path.write_bytes(text.encode("latin-1"))
    assert sniff_and_extract(path).pages[0].text == text.strip()


def test_shift_jis_text_is_decoded(tmp_path: Path) -> None:
    text = "東京は晴れています。これはテストの文章です。日本語の文書を検索します。"
    path = tmp_path / "jp.txt"
    path.write_bytes(text.encode("shift_jis"))
    assert sniff_and_extract(path).pages[0].text == text


def test_csv_rows_become_paragraphs_that_name_their_columns(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text('name,city\nAnn,"Paris, France"\n\nBob,\n')
    result = sniff_and_extract(path)
    assert result.pages == [Page(None, "name: Ann; city: Paris, France\n\nname: Bob")]


def test_csv_without_a_header_row_keeps_rows_as_lines(tmp_path: Path) -> None:
    path = tmp_path / "readings.csv"
    path.write_text("2026-01-01,12.5\n2026-01-02,13\n")
    assert sniff_and_extract(path).pages[0].text == "2026-01-01\t12.5\n2026-01-02\t13"


def test_semicolon_csv_is_split_on_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("name;amount\nAnn;12,50\nBob;7,00\n")
    assert sniff_and_extract(path).pages[0].text == (
        "name: Ann; amount: 12,50\n\nname: Bob; amount: 7,00"
    )


def test_json_becomes_readable_key_value_lines(tmp_path: Path) -> None:
    path = tmp_path / "record.json"
    data = {"name": "Ann", "address": {"city": "Paris"}, "tags": ["x", {"k": None}], "ok": True}
    path.write_text(json.dumps(data))
    assert sniff_and_extract(path).pages[0].text == (
        "name: Ann\naddress:\n  city: Paris\ntags:\n  - x\n  -\n    k: null\nok: true"
    )


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 5, 50_000])
def test_json_nested_too_deep_fails_with_a_reason(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * depth + "1" + "]" * depth)
    with pytest.raises(ExtractionError) as info:
        extract_file(path, "json")
    assert (
        str(info.value)
        == f"The JSON nests deeper than {MAX_JSON_DEPTH} levels; refusing to extract"
    )


def test_json_nested_up_to_the_limit_is_extracted(tmp_path: Path) -> None:
    path = tmp_path / "nested.json"
    path.write_text("[" * MAX_JSON_DEPTH + '"bottom"' + "]" * MAX_JSON_DEPTH)
    assert extract_file(path, "json").text.endswith("- bottom")


def test_json_too_big_to_hold_fails_on_the_memory_limit(tmp_path: Path) -> None:
    path = tmp_path / "objects.json"
    path.write_text("[" + "{}," * 3_000_000 + "{}]")  # 9 MB, some 300 MB as Python objects
    with pytest.raises(ExtractionError) as info:
        extract_file(path, "json", ExtractionLimits(memory_mb=150))
    assert str(info.value) == "Extraction needed more than 150 MB of memory"


def test_json_rendering_stops_at_the_text_cap(tmp_path: Path) -> None:
    path = tmp_path / "numbers.json"
    path.write_text(json.dumps({"values": list(range(600))}))  # read whole: under 4 KB
    result = extract_file(path, "json", ExtractionLimits(max_text_chars=1000))
    assert result.truncated
    assert len(result.text) <= 1000
    assert result.text.startswith("values:\n  - 0\n  - 1\n")


def test_csv_rendering_stops_at_the_text_cap(tmp_path: Path) -> None:
    path = tmp_path / "cells.csv"
    path.write_text("a,b,c\n" * 200_000)
    result = extract_file(path, "csv", ExtractionLimits(max_text_chars=1000))
    assert result.truncated
    assert len(result.text) <= 1000
    assert result.text.startswith("a: a; b: b; c: c\n\na: a; b: b; c: c\n\n")


def test_csv_parsing_is_bounded_by_the_child_time_limit(tmp_path: Path) -> None:
    # Millions of one-cell rows: seconds of parsing, so a one-second limit must cut it short.
    path = tmp_path / "rows.csv"
    path.write_text('"x"\n' * 4_000_000)
    with pytest.raises(ExtractionError) as info:
        extract_file(path, "csv", ExtractionLimits(timeout_seconds=0.5, max_text_chars=20_000_000))
    assert str(info.value) == "Extraction took longer than 0.5 s"


def test_csv_field_over_the_size_limit_is_indexed_as_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "blob.csv"
    path.write_text('id,blob\n1,"' + "x" * (MAX_CSV_FIELD_CHARS + 10) + '"\n')
    assert extract_file(path, "csv").text.startswith('id,blob\n1,"xxx')


def test_whitespace_only_text_has_no_pages(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text("  \n\n\t\n")
    assert sniff_and_extract(path).pages == []


def test_text_is_cut_at_the_character_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("abcdefghij" * 1000)
    result = extract_file(path, "text", ExtractionLimits(max_text_chars=2500))
    assert result.truncated
    assert len(result.text) == 2500


def test_stray_nul_past_the_sniffed_head_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    path.write_bytes(b"start of log\n" + b"x" * 70_000 + b"\nbroken\x00line\n")
    assert extract_file(path, "text").text.endswith("brokenline")


def test_undecodable_text_fails_permanently(tmp_path: Path) -> None:
    path = tmp_path / "junk.txt"
    path.write_bytes(bytes(range(1, 32)) * 50)
    with pytest.raises(ExtractionError, match="not valid text"):
        extract_file(path, "text")


def test_clean_text_normalizes_newlines_controls_and_blank_runs() -> None:
    raw = "\ufeffTitle  \r\nline\x00 two\x07\rthree\x0cfour\n\n\n\n\n\nend \t\n\n"
    assert clean_text(raw) == "Title\nline two\nthree\nfour\n\n\nend"


# E-mail


def test_email_headers_body_and_text_attachments(tmp_path: Path) -> None:
    path = make_eml(
        tmp_path / "message.eml",
        "Quarterly report",
        "Hi Bob,\nthe numbers are attached.\n",
        attachments=[
            ("numbers.csv", b"quarter,revenue\nQ1,100\n", "text/csv"),
            ("notes.dat", "Meeting notes: café at noon".encode(), "application/octet-stream"),
            ("chart.png", PNG_1X1, "image/png"),
        ],
    )
    result = sniff_and_extract(path)
    assert result.page_count is None
    text = result.pages[0].text
    assert text.startswith(
        "From: Alice Example <alice@example.com>\nTo: Bob Example <bob@example.com>\n"
        "Date: Tue, 04 Mar 2025 10:15:00 +0000\nSubject: Quarterly report\n\n"
        "Hi Bob,\nthe numbers are attached."
    )
    assert "Attachment: numbers.csv\n\nquarter: Q1; revenue: 100" in text
    assert "Attachment: notes.dat\n\nMeeting notes: café at noon" in text
    assert "Other attachments (not extracted): chart.png" in text
    assert "iVBOR" not in text  # no base64 of the image


def test_html_only_email_body_is_converted_to_text(tmp_path: Path) -> None:
    path = tmp_path / "html.eml"
    path.write_bytes(
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: News\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><style>p{}</style><body><p>Big <b>news</b> today</p></body></html>\r\n"
    )
    text = sniff_and_extract(path).pages[0].text
    assert text.endswith("Subject: News\n\nBig news today")


def test_alternative_email_prefers_the_plain_text_part(tmp_path: Path) -> None:
    path = make_eml(tmp_path / "alt.eml", "Hi", "Plain version\n", html_body="<p>HTML version</p>")
    text = extract_file(path, "email").pages[0].text
    assert "Plain version" in text
    assert "HTML version" not in text


# Sandbox limits and crashes


def test_timeout_fails_only_that_call(tmp_path: Path) -> None:
    path = big_html(tmp_path / "big.html")
    with pytest.raises(ExtractionError) as info:
        extract_file(path, "html", ExtractionLimits(timeout_seconds=1))
    assert str(info.value) == "Extraction took longer than 1 s"
    small = make_pdf(tmp_path / "small.pdf", ["Still working"])
    assert extract_file(small, "pdf").pages == [Page(1, "Still working")]


def test_memory_limit_fails_only_that_call(tmp_path: Path) -> None:
    path = big_html(tmp_path / "big.html")
    with pytest.raises(ExtractionError) as info:
        extract_file(path, "html", ExtractionLimits(memory_mb=120))
    assert str(info.value) == "Extraction needed more than 120 MB of memory"
    small = tmp_path / "small.html"
    small.write_text("<p>Still working</p>")
    assert extract_file(small, "html", ExtractionLimits(memory_mb=120)).text == "Still working"


def test_unknown_kind_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown file kind"):
        extract_file(tmp_path / "x", "rtf")
