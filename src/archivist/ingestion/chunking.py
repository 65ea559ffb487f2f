"""Token-aware chunking that fits the embedder's window.

Pages are split into paragraphs and sentences; sentences are packed greedily into chunks of at most
`budget` word-pieces (the window less the special tokens and the title, which is embedded with every
chunk), with whole trailing sentences carried over as overlap. A chunk never spans two pages, so
each keeps its page number. Sentences longer than a chunk are cut at word boundaries.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

TokenCounter = Callable[[list[str]], list[int]]

_PARAGRAPHS = re.compile(r"\n\s*\n+")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])|\n")
MAX_TITLE_TOKENS = 48


@dataclass(frozen=True)
class PageText:
    number: int | None
    text: str


@dataclass(frozen=True)
class Chunk:
    ord: int
    text: str
    page: int | None
    embed_text: str


@dataclass(frozen=True)
class _Unit:
    text: str
    tokens: int
    paragraph_start: bool


def chunk_document(
    pages: Sequence[PageText],
    title: str,
    count_tokens: TokenCounter,
    window: int = 256,
    overlap_tokens: int = 32,
) -> list[Chunk]:
    title = _fit_title(title.strip(), count_tokens)
    title_tokens = count_tokens([title])[0] if title else 0
    budget = max(32, window - 2 - title_tokens - 1)
    chunks: list[Chunk] = []
    for page in pages:
        for text in _pack(_units(page.text, count_tokens, budget), budget, overlap_tokens):
            embed_text = f"{title}\n{text}" if title and not text.startswith(title) else text
            chunks.append(Chunk(len(chunks), text, page.number, embed_text))
    return chunks


def _fit_title(title: str, count_tokens: TokenCounter) -> str:
    words = title.split()
    while words and count_tokens([" ".join(words)])[0] > MAX_TITLE_TOKENS:
        words = words[: max(1, len(words) * 3 // 4)] if len(words) > 1 else []
    return " ".join(words)


def _units(text: str, count_tokens: TokenCounter, budget: int) -> list[_Unit]:
    pieces: list[tuple[str, bool]] = []
    for paragraph in _PARAGRAPHS.split(text):
        sentences = [s.strip() for s in _SENTENCE_END.split(paragraph) if s and s.strip()]
        pieces.extend((sentence, i == 0) for i, sentence in enumerate(sentences))
    if not pieces:
        return []
    counts = count_tokens([piece for piece, _ in pieces])
    units: list[_Unit] = []
    for (piece, starts), tokens in zip(pieces, counts, strict=True):
        if tokens <= budget:
            units.append(_Unit(piece, tokens, starts))
        else:
            for i, (part, part_tokens) in enumerate(_split_long(piece, count_tokens, budget)):
                units.append(_Unit(part, part_tokens, starts and i == 0))
    return units


def _split_long(sentence: str, count_tokens: TokenCounter, budget: int) -> list[tuple[str, int]]:
    """Cut an over-long sentence at word boundaries into parts of at most `budget` tokens."""
    words = sentence.split()
    counts = count_tokens(words)
    parts: list[tuple[str, int]] = []
    current: list[str] = []
    used = 0
    for word, tokens in zip(words, counts, strict=True):
        if tokens > budget:  # a single absurd "word" (a base64 blob): keep its head only
            word, tokens = word[: budget * 2], budget
        if current and used + tokens > budget:
            parts.append((" ".join(current), used))
            current, used = [], 0
        current.append(word)
        used += tokens
    if current:
        parts.append((" ".join(current), used))
    return parts


def _join(units: Sequence[_Unit]) -> str:
    text = ""
    for unit in units:
        if text:
            text += "\n\n" if unit.paragraph_start else " "
        text += unit.text
    return text


def _pack(units: list[_Unit], budget: int, overlap_tokens: int) -> list[str]:
    texts: list[str] = []
    current: list[_Unit] = []
    used = 0
    fresh = 0  # units in `current` not already emitted in a previous chunk
    for unit in units:
        if current and used + unit.tokens > budget:
            texts.append(_join(current))
            current, used = _overlap(current, overlap_tokens, budget - unit.tokens)
            fresh = 0
        current.append(unit)
        used += unit.tokens
        fresh += 1
    if current and fresh:
        texts.append(_join(current))
    return texts


def _overlap(previous: list[_Unit], overlap_tokens: int, room: int) -> tuple[list[_Unit], int]:
    carried: list[_Unit] = []
    used = 0
    for unit in reversed(previous):
        if used + unit.tokens > min(overlap_tokens, room):
            break
        carried.insert(0, unit)
        used += unit.tokens
    return carried, used
