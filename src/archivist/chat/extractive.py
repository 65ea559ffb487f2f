"""Answering by choosing sentences: the source sentences that best answer the question, and
whether the documents answer it at all.

A sentence's score is its cosine similarity to the question (the embedder's) plus a weight times
the share of the question's words it holds (stems, numbers, codes). The documents are taken not to
answer when the best score is below `chat.answerable_score`, or when the question names something
(a code such as "AQ-200", a name such as "Lisbon") that no retrieved source mentions. The weights
and the level were calibrated on the answer bench's tuning questions (bench/answers.py), never on
its report questions nor on SciFact.
"""

from dataclasses import dataclass

from archivist.chat.citations import Source
from archivist.chat.text import claims, sentence_spans, vocabulary
from archivist.embedding.base import Embedder

LEXICAL_WEIGHT = 0.5
# A further sentence joins the answer (a question asking two things) when it is this similar to
# the question and holds this share of its words that the chosen sentences lack.
FURTHER_COSINE = 0.45
FURTHER_GAIN = 0.2
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
    found: list[tuple[Source, tuple[int, int]]] = []
    seen: set[str] = set()
    for source in sources:
        for span in sentence_spans(source.text):
            text = source.text[span[0] : span[1]]
            if len(text.split()) >= MIN_WORDS and text not in seen:  # chunks overlap
                seen.add(text)
                found.append((source, span))
    found = found[:MAX_CANDIDATES]
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


def select(question: str, candidates: list[Candidate]) -> list[Candidate]:
    """The best sentence, and up to two more that hold what the question asks and it lacks."""
    if not candidates:
        return []
    asked = claims(question)
    wanted = len(asked.words | asked.numbers | asked.codes) or 1
    chosen = [candidates[0]]
    covered = set(candidates[0].matched)
    for candidate in candidates[1:]:
        if len(chosen) >= MAX_SENTENCES:
            break
        new = candidate.matched - covered
        if (
            candidate.cosine >= FURTHER_COSINE
            and len(new) / wanted >= FURTHER_GAIN
            and new & (asked.words | asked.codes)
        ):
            chosen.append(candidate)
            covered |= new
    return chosen


def answerable(question: str, candidates: list[Candidate], threshold: float) -> bool:
    """Whether the sources can answer: the best sentence scores well enough, and the sources
    mention every code and name the question does."""
    if not candidates or candidates[0].score < threshold:
        return False
    asked = claims(question)
    mentioned = frozenset().union(
        *(vocabulary(s.title + "\n" + s.text) for s in {c.source for c in candidates})
    )
    return (asked.codes | asked.names) <= mentioned
