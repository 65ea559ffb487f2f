"""The numbered sources an answer may cite, and its [n] markers. The model's markers only say
where to look first: `grounding.py` decides which source really supports each sentence."""

import re
from dataclasses import dataclass

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


@dataclass(frozen=True)
class Source:
    n: int
    document_id: str
    chunk_id: str
    title: str
    snippet: str
    page: int | None
    text: str


def cited_numbers(text: str) -> list[int]:
    seen: list[int] = []
    for match in MARKER.finditer(text):
        for number in match.group(1).split(","):
            if int(number) not in seen:
                seen.append(int(number))
    return seen


def strip_markers(text: str) -> str:
    """`text` without its [n] markers."""
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", MARKER.sub("", text)).strip()
