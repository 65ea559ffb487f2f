"""The sandboxed extraction process: `python -m archivist.ingestion.extract.child PATH KIND LIMITS`.

It limits itself first (address space, CPU time, file writes), parses one file, and writes one
JSON object to stdout: `{"pages": [...], "page_count": n, "truncated": b}` or `{"error": msg}`.
A MemoryError exits with `EXIT_MEMORY`; anything harder (a signal) the parent reads from the
return code.
"""

import json
import logging
import resource
import sys
from dataclasses import asdict
from pathlib import Path

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


def extract(path: Path, kind: str, limits: ExtractionLimits) -> dict[str, object]:
    pages: list[Page]
    page_count: int | None = None
    truncated = False
    # Imported per kind: each parser library costs startup time and address space.
    if kind == "pdf":
        from archivist.ingestion.extract.pdf import extract_pdf

        pages, page_count = extract_pdf(path)
    elif kind == "docx":
        from archivist.ingestion.extract.docx import extract_docx
        from archivist.ingestion.extract.zipguard import check_zip

        check_zip(path, "DOCX", limits)
        pages = extract_docx(path)
    elif kind == "pptx":
        from archivist.ingestion.extract.pptx import extract_pptx
        from archivist.ingestion.extract.zipguard import check_zip

        check_zip(path, "PPTX", limits)
        pages, page_count = extract_pptx(path)
    elif kind == "xlsx":
        from archivist.ingestion.extract.xlsx import extract_xlsx
        from archivist.ingestion.extract.zipguard import check_zip

        check_zip(path, "XLSX", limits)
        pages, truncated = extract_xlsx(path, limits.max_text_chars)
    elif kind == "html":
        from archivist.ingestion.extract.html import extract_html

        pages = extract_html(path)
    elif kind == "email":
        from archivist.ingestion.extract.email import extract_email

        pages = extract_email(path)
    else:
        raise ValueError(f"not a sandboxed kind: {kind!r}")
    return asdict(finalize(pages, page_count, limits, truncated))


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(
            "usage: python -m archivist.ingestion.extract.child PATH KIND LIMITS", file=sys.stderr
        )
        return EXIT_USAGE
    path, kind, limits = Path(argv[0]), argv[1], ExtractionLimits(**json.loads(argv[2]))
    apply_limits(limits)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    out = sys.stdout
    # Anything a parser prints must not corrupt the one JSON document on stdout.
    sys.stdout = sys.stderr
    try:
        result = extract(path, kind, limits)
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


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
