"""PDF text, page by page, with pypdf. Runs in the sandboxed child."""

import logging
from typing import BinaryIO

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from archivist.ingestion.extract.base import ExtractionError, Page

logger = logging.getLogger(__name__)

DAMAGED = "The PDF is damaged and could not be parsed"
ENCRYPTED = "The PDF is encrypted and cannot be read without its password"


def extract_pdf(source: BinaryIO) -> tuple[list[Page], int]:
    try:
        reader = PdfReader(source, strict=False)
        if reader.is_encrypted:
            _decrypt(reader)
        count = len(reader.pages)
    except (ExtractionError, MemoryError):
        raise
    except FileNotDecryptedError as exc:
        raise ExtractionError(ENCRYPTED) from exc
    except Exception as exc:
        raise ExtractionError(DAMAGED) from exc
    if count == 0:
        raise ExtractionError(DAMAGED)

    pages: list[Page] = []
    failures = 0
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text()
        except MemoryError:
            raise
        except Exception:
            # One broken page (bad font, bad content stream) should not lose the others.
            logger.warning("could not extract text from PDF page %d", number, exc_info=True)
            failures += 1
            text = ""
        pages.append(Page(number=number, text=text))
    if failures == count:
        raise ExtractionError(DAMAGED)
    return pages, count


def _decrypt(reader: PdfReader) -> None:
    # Many "encrypted" PDFs only restrict printing or copying and open with an empty password.
    try:
        result = reader.decrypt("")
    except DependencyError as exc:
        raise ExtractionError(
            "The PDF uses AES encryption, which this server cannot decrypt "
            "(the 'cryptography' package is not installed)"
        ) from exc
    except NotImplementedError as exc:
        raise ExtractionError("The PDF uses an unsupported encryption method") from exc
    if result == PasswordType.NOT_DECRYPTED:
        raise ExtractionError(ENCRYPTED)
