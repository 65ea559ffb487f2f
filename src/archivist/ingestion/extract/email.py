"""E-mail (.eml) text with the stdlib parser: headers, body, text-like attachments.

Runs in the child.
"""

from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from typing import BinaryIO

from archivist.ingestion.extract.base import ExtractionError, Page
from archivist.ingestion.extract.html import html_to_text
from archivist.ingestion.extract.text import render_text
from archivist.ingestion.formats import (
    HEAD_SIZE,
    HTML,
    TEXT_KINDS,
    UnsupportedFileType,
    decode_text,
    sniff,
)

DAMAGED = "The e-mail message could not be parsed"
HEADERS = ("From", "To", "Cc", "Date", "Subject")
MAX_NESTING = 3
_TEXT_TYPES = {"text/plain": "text", "text/markdown": "markdown", "text/csv": "csv"}


def extract_email(source: BinaryIO) -> list[Page]:
    try:
        message = BytesParser(policy=policy.default).parse(source)
        text = _message_text(message, depth=0)
    except MemoryError:
        raise
    except Exception as exc:
        raise ExtractionError(DAMAGED) from exc
    return [Page(number=None, text=text)]


def _message_text(message: Message, depth: int) -> str:
    sections: list[str] = []
    headers = [f"{name}: {message[name]}" for name in HEADERS if message[name]]
    if headers:
        sections.append("\n".join(headers))
    if not isinstance(message, EmailMessage):  # only with a non-default policy
        return "\n\n".join(sections)

    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        sections.append(_part_text(body))

    skipped: list[str] = []
    for part in message.iter_attachments():
        name = part.get_filename() or ""
        content_type = part.get_content_type()
        if content_type == "message/rfc822" and depth < MAX_NESTING:
            inner = part.get_payload(0) if part.is_multipart() else None
            if isinstance(inner, Message):
                heading = f"Attached message: {name}" if name else "Attached message"
                sections.append(f"{heading}\n\n{_message_text(inner, depth + 1)}")
                continue
        text = _attachment_text(part, name)
        if text is None:
            skipped.append(name or content_type)
        elif text.strip():
            sections.append(f"Attachment: {name}\n\n{text}" if name else text)
    if skipped:
        sections.append("Other attachments (not extracted): " + ", ".join(skipped))
    return "\n\n".join(section.strip() for section in sections if section.strip())


def _payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _decode(part: Message, data: bytes) -> str | None:
    charset = part.get_content_charset()
    if charset:
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown declared charset: detect it instead
    return decode_text(data)


def _part_text(part: Message) -> str:
    data = _payload(part)
    if part.get_content_type() == "text/html":
        return html_to_text(data)
    return _decode(part, data) or ""


def _attachment_text(part: Message, name: str) -> str | None:
    """The text of an attachment that is text-like, or None for one that is not."""
    content_type = part.get_content_type()
    data = _payload(part)
    if content_type == "text/html":
        return html_to_text(data)
    kind = _TEXT_TYPES.get(content_type)
    if kind is None and data:
        try:
            sniffed = sniff(data[:HEAD_SIZE], name)
        except UnsupportedFileType:
            return None
        if sniffed.kind == HTML:
            return html_to_text(data)
        kind = sniffed.kind if sniffed.kind in TEXT_KINDS else None
    elif kind is None and content_type.startswith("text/"):
        kind = "text"
    if kind is None:
        return None
    text = _decode(part, data)
    if text is None:
        return None
    try:
        return render_text(text, kind, tsv=name.lower().endswith(".tsv"))
    except ExtractionError:
        return None  # e.g. JSON nested too deep: listed as not extracted, the rest still counts
