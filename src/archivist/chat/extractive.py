"""Answering by choosing sentences: the source sentences that best answer the question, and how
well the best of them does — below a calibrated level, the documents do not answer it.

A sentence's score is its cosine similarity to the question (the embedder's) plus a weight times
the share of the question's content words it holds (stems, numbers, names). The weights and the
level were calibrated on the answer bench's tuning questions (bench/answers.py), not on its report
set nor on SciFact.
"""

from dataclasses import dataclass

from archivist.chat.citations import Source
from archivist.chat.text import claims, sentence_spans, vocabulary
from archivist.embedding.base import Embedder

LEXICAL_WEIGHT = 0.5
# A further sentence joins the answer when it scores this close to the best one and holds a
# question word the chosen ones lack.
MARGIN = 0.12
MAX_SENTENCES = 3
MAX_CANDIDATES = 120
MIN_WORDS = 3


@dataclass(frozen=True)
class Candidate:
    source: Source
    span: tuple[int, int]
    cosine: float
    coverage: float
    matched: frozenset[str]

    @property
    def score(self) -> float:
        return self.cosine + LEXICAL_WEIGHT * self.coverage

    @property
    def text(self) -> str:
        return self.source.text[self.span[0] : self.span[1]]


def rank(question: str, sources: list[Source], embedder: Embedder) -> list[Candidate]:
    """Every sentence of the sources, best first."""
    found = [
        (source, span)
        for source in sources
        for span in sentence_spans(source.text)
        if len(source.text[span[0] : span[1]].split()) >= MIN_WORDS
    ][:MAX_CANDIDATES]
    if not found:
        return []
    asked = claims(question)
    wanted = asked.words | asked.numbers | asked.codes
    texts = [f"{source.title}: {source.text[a:b]}" for source, (a, b) in found]
    vectors = embedder.embed([question, *texts])
    query, rest = vectors[0], vectors[1:]
    candidates = []
    for (source, span), vector in zip(found, rest, strict=True):
        held = vocabulary(source.title + "\n" + source.text[span[0] : span[1]])
        matched = frozenset(wanted & held)
        candidates.append(
            Candidate(
                source=source,
                span=span,
                cosine=sum(a * b for a, b in zip(query, vector, strict=True)),
                coverage=len(matched) / len(wanted) if wanted else 0.0,
                matched=matched,
            )
        )
    return sorted(candidates, key=lambda c: c.score, reverse=True)


def select(candidates: list[Candidate]) -> list[Candidate]:
    """The best sentence, and up to two more that add what the question asks and it lacks."""
    if not candidates:
        return []
    chosen = [candidates[0]]
    covered = set(candidates[0].matched)
    for candidate in candidates[1:]:
        if len(chosen) >= MAX_SENTENCES or candidate.score < chosen[0].score - MARGIN:
            break
        if candidate.matched - covered and candidate.text not in {c.text for c in chosen}:
            chosen.append(candidate)
            covered |= candidate.matched
    return chosen
