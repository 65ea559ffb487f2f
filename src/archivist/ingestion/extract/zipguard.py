"""Refuse ZIP containers (DOCX, PPTX, XLSX) that would expand too far when parsed.

The entry count is bounded before `zipfile` lists the central directory (see
`formats.zip_record_bound`: neither the end record's count nor ZIP64's is trusted), so listing
costs little. The sizes come from the central directory as `zipfile` decodes it (ZIP64 extra
fields included), which an attacker controls; they are still a sound bound because `zipfile`
(which python-docx, python-pptx and openpyxl all read through) stops a member at its declared
size and fails its CRC check rather than inflating past it.
"""

import zipfile
from typing import BinaryIO

from archivist.ingestion.extract.base import MB, ExtractionError, ExtractionLimits
from archivist.ingestion.formats import MAX_ZIP_ENTRIES, zip_record_bound

MAX_RATIO = 100
RATIO_FLOOR_BYTES = 10 * MB
TOO_MANY = f"The archive has more than {MAX_ZIP_ENTRIES} entries; refusing to extract"


def check_zip(source: BinaryIO, label: str, limits: ExtractionLimits) -> None:
    """Raise ExtractionError unless `source` is a ZIP that is safe to hand to the parsers."""
    try:
        if zip_record_bound(source, MAX_ZIP_ENTRIES) > MAX_ZIP_ENTRIES:
            raise ExtractionError(TOO_MANY)
        with zipfile.ZipFile(source) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ExtractionError(f"The {label} file is damaged (not a readable ZIP archive)") from exc
    finally:
        source.seek(0)
    uncompressed = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos)
    if uncompressed > limits.max_uncompressed_mb * MB:
        raise ExtractionError(
            f"The archive expands to more than {limits.max_uncompressed_mb} MB; refusing to extract"
        )
    if uncompressed > RATIO_FLOOR_BYTES and uncompressed > MAX_RATIO * max(compressed, 1):
        ratio = uncompressed // max(compressed, 1)
        raise ExtractionError(
            f"The archive is compressed {ratio}:1, which looks like a zip bomb; refusing to extract"
        )
