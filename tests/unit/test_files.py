"""File names as stored and as sent back: no control characters, headers safe for any name."""

import re
from urllib.parse import unquote

import pytest

from archivist.files.upload import MAX_FILENAME_CHARS, ReceivedUpload, clean_filename
from archivist.storage.base import attachment_disposition

SAFE_HEADER = re.compile(r"^[\x20-\x7e]+$")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\r\nb.txt", "a b.txt"),
        ("nul\x00.txt", "nul.txt"),
        ("\x1b[2Jclear.txt", "[2Jclear.txt"),
        ("evil\u202etxt.exe", "eviltxt.exe"),
        ("C:\\Users\\ann\\report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("Cafe\u0301 crème.txt", "Café crème.txt"),
        ("\x00\r\n", "upload"),
        ("x" * 300 + ".pdf", "x" * (MAX_FILENAME_CHARS - 4) + ".pdf"),
    ],
)
def test_filename_is_cleaned_for_storage_and_display(raw: str, clean: str) -> None:
    assert clean_filename(raw) == clean


def test_every_upload_gets_a_clean_name(tmp_path: object) -> None:
    received = ReceivedUpload(
        path=tmp_path,  # type: ignore[arg-type]
        filename="line\nbreak.txt",
        size=1,
        sha256="",
        declared_type="",
    )
    assert received.filename == "line break.txt"


@pytest.mark.parametrize(
    "name",
    ["a\r\nSet-Cookie: x=1.txt", "nul\x00\x1b.txt", 'quote" back\\slash.txt', "Zoë ✓.txt", ""],
)
def test_content_disposition_is_printable_ascii_for_any_name(name: str) -> None:
    header = attachment_disposition(name)
    assert SAFE_HEADER.match(header), header
    assert header.startswith('attachment; filename="')
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == name
