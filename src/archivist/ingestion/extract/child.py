"""The sandboxed extraction: `main([KIND, LIMITS, SUFFIX])`, run through `jail` by `sandbox`.

The file to parse is open on stdin (the sandbox user may not open the stored file itself). `main`
limits itself first (address space, CPU time, file writes), parses the file, and writes one
JSON object to stdout: `{"pages": [...], "page_count": n, "truncated": b}` or `{"error": msg}`.
A MemoryError exits with `EXIT_MEMORY`; anything harder (a signal) the parent reads from the
return code. `preload` imports the parser before the jail drops privileges.
"""

import contextlib
import importlib
import json
import logging
import os
import pkgutil
import resource
import sys
from dataclasses import asdict
from typing import BinaryIO

from archivist.ingestion.extract.base import (
    EXIT_MEMORY,
    MB,
    ExtractionError,
    ExtractionLimits,
    Page,
    finalize,
)

EXIT_USAGE = 2
FILE_SIZE_LIMIT = 1 * MB
CPU_GRACE_SECONDS = 5
# Per kind, the parser module and the libraries it reads through. `preload` imports every
# submodule of those libraries, since they import some lazily (pypdf its filters, say).
PARSERS = {
    "pdf": ["archivist.ingestion.extract.pdf", "pypdf"],
    "docx": ["archivist.ingestion.extract.docx", "archivist.ingestion.extract.zipguard", "docx"],
    "pptx": ["archivist.ingestion.extract.pptx", "archivist.ingestion.extract.zipguard", "pptx"],
    "xlsx": [
        "archivist.ingestion.extract.xlsx",
        "archivist.ingestion.extract.zipguard",
        "openpyxl",
    ],
    "html": ["archivist.ingestion.extract.html", "bs4", "lxml"],
    "email": ["archivist.ingestion.extract.email", "bs4", "lxml", "charset_normalizer"],
    "csv": ["archivist.ingestion.extract.text", "csv", "charset_normalizer"],
    "json": ["archivist.ingestion.extract.text", "charset_normalizer"],
}
# Imported lazily by the standard library at parse time (dates, number formatting).
_LAZY_STDLIB = ["_strptime", "locale", "calendar"]


def preload(argv: list[str]) -> None:
    """Import everything `main` will need while the files are still readable.

    After the jail drops to the sandbox user, the Python installation may be out of reach
    (pyenv under /root, say), and an import that fails there fails the file. (The jail loads
    the codecs itself.)
    """
    for name in [*PARSERS.get(argv[0] if argv else "", []), *_LAZY_STDLIB]:
        module = importlib.import_module(name)
        if hasattr(module, "__path__") and not name.startswith("archivist."):
            for info in pkgutil.walk_packages(module.__path__, f"{name}.", onerror=_ignore):
                if ".tests" in info.name or ".test_" in info.name:
                    continue
                _try_import(info.name)


def _try_import(name: str) -> None:
    # Some submodules need optional extras (pypdf's crypto providers, say).
    with contextlib.suppress(Exception):
        importlib.import_module(name)


def _ignore(name: str) -> None:
    pass


def apply_limits(limits: ExtractionLimits) -> None:
    # Set here, first thing, rather than in a preexec_fn: preexec_fn may deadlock when the
    # parent has threads, and the API and worker call extraction from thread pools. Soft and
    # hard limits are equal so the parsers cannot raise them again.
    memory = limits.memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(limits.timeout_seconds) + CPU_GRACE_SECONDS
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + CPU_GRACE_SECONDS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def extract(
    source: BinaryIO, kind: str, limits: ExtractionLimits, suffix: str
) -> dict[str, object]:
    pages: list[Page]
    page_count: int | None = None
    truncated = False
    if kind == "pdf":
        from archivist.ingestion.extract.pdf import extract_pdf

        pages, page_count = extract_pdf(source)
    elif kind == "docx":
        from archivist.ingestion.extract.docx import extract_docx
        from archivist.ingestion.extract.zipguard import check_zip

        check_zip(source, "DOCX", limits)
        pages = extract_docx(source)
    elif kind == "pptx":
        from archivist.ingestion.extract.pptx import extract_pptx
        from archivist.ingestion.extract.zipguard import check_zip

        check_zip(source, "PPTX", limits)
        pages, page_count = extract_pptx(source)
    elif kind == "xlsx":
        from archivist.ingestion.extract.xlsx import extract_xlsx
        from archivist.ingestion.extract.zipguard import check_zip

        check_zip(source, "XLSX", limits)
        pages, truncated = extract_xlsx(source, limits.max_text_chars)
    elif kind == "html":
        from archivist.ingestion.extract.html import extract_html

        pages = extract_html(source)
    elif kind == "email":
        from archivist.ingestion.extract.email import extract_email

        pages = extract_email(source)
    elif kind in ("csv", "json"):
        from archivist.ingestion.extract.text import read_text, render_text

        text, truncated = read_text(source, limits.max_text_chars)
        text = render_text(text, kind, tsv=suffix == ".tsv", max_chars=limits.max_text_chars)
        pages = [Page(number=None, text=text)]
    else:
        raise ValueError(f"not a sandboxed kind: {kind!r}")
    return asdict(finalize(pages, page_count, limits, truncated))


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: child:main KIND LIMITS SUFFIX (file on stdin)", file=sys.stderr)
        return EXIT_USAGE
    kind, limits, suffix = argv[0], ExtractionLimits(**json.loads(argv[1])), argv[2]
    apply_limits(limits)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    out = sys.stdout
    # Anything a parser prints must not corrupt the one JSON document on stdout.
    sys.stdout = sys.stderr
    # Seekable: the parent opened the file itself and passed that descriptor.
    source = os.fdopen(sys.stdin.fileno(), "rb", closefd=False)
    try:
        result = extract(source, kind, limits, suffix)
        payload = json.dumps(result, ensure_ascii=False).encode("utf-8")
    except ExtractionError as exc:
        # libxml2 reports a failed allocation as a parse error, not a MemoryError.
        if "memory allocation failed" in str(exc.__cause__).lower():
            return EXIT_MEMORY
        payload = json.dumps({"error": str(exc)}).encode("utf-8")
    except MemoryError:
        return EXIT_MEMORY
    out.buffer.write(payload)
    out.flush()
    return 0
