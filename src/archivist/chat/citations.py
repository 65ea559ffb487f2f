"""Making every [n] in an answer point at a real source.

Markers the model invented are dropped. When the model cites nothing (small local models never
do), each sentence is attributed to the source passage most similar to it, if similar enough.
"""

import re
from dataclasses import dataclass

from archivist.embedding.base import Embedder

MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")


@dataclass(frozen=True)
class Source:
    n: int
    document_id: str
    chunk_id: str
    title: str
    snippet: str
    page: int | None
    text: str


def repair_markers(text: str, valid: set[int]) -> str:
    """`[1, 2]` becomes `[1][2]`; numbers that are not sources disappear."""

    def replace(match: re.Match[str]) -> str:
        numbers = [int(n) for n in match.group(1).split(",")]
        return "".join(f"[{n}]" for n in numbers if n in valid)

    repaired = MARKER.sub(replace, text)
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", repaired)


def cited_numbers(text: str) -> list[int]:
    seen: list[int] = []
    for match in MARKER.finditer(text):
        for number in match.group(1).split(","):
            if int(number) not in seen:
                seen.append(int(number))
    return seen


def attribute(text: str, sources: list[Source], embedder: Embedder, threshold: float) -> str:
    """Append [n] to each sentence whose best-matching source passage is similar enough."""
    spans = [m for m in SENTENCE.finditer(text) if len(m.group().split()) >= 4]
    if not spans or not sources:
        return text
    vectors = embedder.embed([m.group().strip() for m in spans] + [s.text for s in sources])
    sentence_vectors, source_vectors = vectors[: len(spans)], vectors[len(spans) :]
    pieces: list[str] = []
    last = 0
    for match, vector in zip(spans, sentence_vectors, strict=True):
        similarities = [sum(a * b for a, b in zip(vector, v, strict=True)) for v in source_vectors]
        best = max(range(len(sources)), key=lambda i: similarities[i])
        body = match.group()
        pieces.append(text[last : match.start()])
        if similarities[best] >= threshold:
            stripped = body.rstrip()
            end = re.search(r"[.!?]*$", stripped)
            cut = end.start() if end else len(stripped)
            marker = f" [{sources[best].n}]"
            pieces.append(stripped[:cut] + marker + stripped[cut:] + body[len(stripped) :])
        else:
            pieces.append(body)
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)
