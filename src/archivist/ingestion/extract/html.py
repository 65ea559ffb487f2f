"""Visible HTML text with BeautifulSoup + lxml, block elements on their own lines.

Runs in the child (and is reused there for HTML e-mail bodies and attachments).
"""

import re
import warnings
from typing import BinaryIO

from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from archivist.ingestion.extract.base import ExtractionError, Page

DAMAGED = "The HTML file could not be parsed"

# fmt: off
_INVISIBLE = (
    "script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg",
    "canvas", "map", "datalist", "dialog",
)
_BLOCKS = (
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "legend", "li", "main", "menu", "nav", "ol", "option",
    "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
)
# fmt: on
_PARAGRAPHS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl"}
    | {"figure", "section", "article", "header", "footer", "hr", "address", "details"}
)
_CELLS = ("td", "th")
_SILENT_FAILURE_BYTES = 4096
_LINE, _PARA, _BR, _CELL = "\ue000", "\ue001", "\ue002", "\ue003"
_MARKERS = re.compile("[\ue000-\ue003]")
_BREAK_RUN = re.compile("[ \t]*[\ue000-\ue002][\\s\ue000-\ue002]*")
_ROW_START = re.compile("(?:^|\n)[ \t]*\ue003[ \t]*")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_LINE_SPACE = re.compile(r"[ \t]*\n[ \t]*")
_RUNS = re.compile(r"[ \t]{2,}")


def extract_html(source: BinaryIO) -> list[Page]:
    try:
        text = html_to_text(source.read())
    except MemoryError:
        raise
    except Exception as exc:
        raise ExtractionError(DAMAGED) from exc
    return [Page(number=None, text=text)]


def html_to_text(markup: bytes | str) -> str:
    with warnings.catch_warnings():
        # XHTML starts with an XML declaration; parsing it as HTML is intended.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    if not soup.contents and len(markup) > _SILENT_FAILURE_BYTES:
        # libxml2 gives up without an error when it cannot allocate its input buffers, leaving
        # an empty document; only running out of memory does that to a large input.
        raise MemoryError("the HTML parser stopped without building a document")
    title = ""
    if soup.title is not None:
        title = " ".join(soup.title.get_text(" ").split())

    for node in soup.find_all(
        string=lambda s: isinstance(s, Comment | Declaration | Doctype | ProcessingInstruction)
    ):
        node.extract()
    for tag in [*soup.find_all(_INVISIBLE), *soup.find_all(_is_hidden)]:
        if not tag.decomposed:  # already gone with a hidden ancestor
            tag.decompose()

    # HTML collapses whitespace in text (outside <pre>); structure is marked with private-use
    # characters and only turned into newlines at the end, so adjacent blocks do not stack up
    # blank lines.
    for node in soup.find_all(string=True):
        if not isinstance(node, NavigableString):
            continue
        text = _MARKERS.sub("", str(node))
        if node.find_parent("pre") is None:
            text = _SPACES.sub(" ", text)
        node.replace_with(text)
    for tag in soup.find_all("br"):
        tag.replace_with(_BR)
    for tag in soup.find_all(_CELLS):
        tag.insert_before(_CELL)
    for tag in soup.find_all(_BLOCKS):
        marker = _PARA if tag.name in _PARAGRAPHS else _LINE
        tag.insert_before(marker)
        tag.insert_after(marker)

    body = _BREAK_RUN.sub(_break, soup.get_text())
    body = _ROW_START.sub("\n", body)  # no separator before a row's first cell
    body = body.replace(_CELL, " | ")
    body = _RUNS.sub(" ", _LINE_SPACE.sub("\n", body)).strip()
    if title and not body.startswith(title):
        return f"{title}\n\n{body}" if body else title
    return body


def _break(match: re.Match[str]) -> str:
    run = match.group()
    return "\n\n" if _PARA in run or run.count(_BR) > 1 else "\n"


def _is_hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden"):
        return True
    style = tag.get("style")
    return isinstance(style, str) and _HIDDEN_STYLE.search(style) is not None
