"""Answering by choosing sentences: the source sentences that best answer the question, and
whether the documents answer it at all.

A sentence's score is its cosine similarity to the question (the embedder's) plus a weight times
the share of the question's words it holds (stems, numbers, codes). When the question names codes
("AQ-500E"), only sentences that hold one, in their text or their document's title, take part: a
spec of the AQ-500 does not answer for the AQ-500E.

The documents are taken not to answer when
- the best score is below `chat.answerable_score`;
- the question names a code ("AQ-200") no source holds, or a name ("Lisbon") that the chosen
  sentences' documents do not mention in what was retrieved of them;
- every chosen sentence says the same of something else: "annual leave" for "study leave",
  "first quarter" for "second quarter";
- or no chosen sentence is about what is asked: with the question's codes and names taken out
  of both, none is as similar to the question as ATTRIBUTE_COSINE ("the accuracy of the AQ-500"
  against "AQ-500 range: 0 to 5 ppm"). A spreadsheet row ("Header: value; …") is about what is
  asked when the question names one of its headers; other tables are exempt, as a row of cells
  reads as nothing like a question.
The weights and levels were calibrated on the answer bench's tune, report and first holdout
questions (bench/answers.py), never on its second holdout nor on SciFact; the header rule was
added after the second holdout had been run (see docs/answers.md).
"""

import re
from dataclasses import dataclass
from itertools import pairwise

from archivist.chat.citations import Source
from archivist.chat.text import (
    STOPWORDS,
    TOKEN,
    claims,
    code_key,
    code_keys,
    sentence_spans,
    stem,
    vocabulary,
)
from archivist.embedding.base import Embedder

LEXICAL_WEIGHT = 0.5
# A further sentence joins the answer (a question asking two things) when it is this similar to
# the question and holds this share of its words that the chosen sentences lack.
FURTHER_COSINE = 0.45
FURTHER_GAIN = 0.2
MAX_SENTENCES = 3
MAX_CANDIDATES = 120
MIN_WORDS = 3
ATTRIBUTE_COSINE = 0.5
# A table's text: tab-separated cells or a Markdown row; a spreadsheet's or CSV file's row as
# ingestion writes it under a header row, "Header: value; Header: value; …".
TABLE = re.compile(r"\t|\|.*\|.*\|")
ROW = re.compile(r"[^;:]+: [^;]+(?:; [^;:]+: [^;]+){2}")


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
    asked = claims(question)
    named = code_keys(question)
    passages = {s.chunk_id: code_keys(s.title + "\n" + s.text) for s in sources}
    found = [
        (s, span)
        for s, span in found[:MAX_CANDIDATES]
        if _about(
            named, passages[s.chunk_id], code_keys(s.title + "\n" + s.text[span[0] : span[1]])
        )
    ]
    if not found:
        return []
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


def answerable(
    question: str, candidates: list[Candidate], threshold: float, embedder: Embedder
) -> bool:
    """Whether the sources can answer (see the module's docstring)."""
    if not candidates or candidates[0].score < threshold:
        return False
    chosen = select(question, candidates)
    return (
        _mentioned(question, candidates, chosen)
        and not all(_contrasts(question, c.text) for c in chosen)
        and _on_topic(question, chosen, embedder)
    )


def _mentioned(question: str, candidates: list[Candidate], chosen: list[Candidate]) -> bool:
    """The sources hold the question's codes, and the chosen sentences' documents (what was
    retrieved of them) its names."""
    asked = claims(question)
    coded = frozenset().union(*(code_keys(c.source.title + "\n" + c.text) for c in candidates))
    if not {code_key(code) for code in asked.codes} <= coded:
        return False
    documents = {c.source.document_id for c in chosen}
    named = frozenset().union(
        *(
            vocabulary(c.source.title + "\n" + c.source.text)
            for c in candidates
            if c.source.document_id in documents
        )
    )
    return asked.names <= named


def _on_topic(question: str, chosen: list[Candidate], embedder: Embedder) -> bool:
    """A chosen sentence is about what is asked: similar to the question with the codes and names
    of both taken out. A table's row ("Header: value; …") is when the question names one of its
    headers ("lead time", "on hand"; a cost is a price); other tables, and a question left with
    under two words, pass."""
    asked = claims(question)
    wanted = asked.words | ({"price"} if "cost" in asked.words else set())
    if any(TABLE.search(c.text) or _headers(c.text) & wanted for c in chosen):
        return True
    prose = [c for c in chosen if not ROW.match(c.text)]
    if not prose:
        return False
    named = asked.codes | asked.names
    rest = _without(question, named)
    if len(claims(rest).words) < 2:
        return True
    asking, *stating = embedder.embed([rest] + [_without(c.text, named) for c in prose])
    return (
        max(sum(a * b for a, b in zip(asking, s, strict=True)) for s in stating) >= ATTRIBUTE_COSINE
    )


def _headers(sentence: str) -> frozenset[str]:
    """The header words of a table row "Header: value; …", none for other sentences."""
    if not ROW.match(sentence):
        return frozenset()
    return vocabulary(" ".join(cell.split(":", 1)[0] for cell in sentence.split("; ")))


def _about(asked: frozenset[str], passage: frozenset[str], sentence: frozenset[str]) -> bool:
    """Whether a sentence can speak about the codes a question names (`code_keys` of each, and of
    the sentence's passage, titles included): not when its passage names none of them, nor when
    it is about another code of the same family ("AQ-500", by itself or its title, when
    "AQ-500E" is asked)."""
    if asked and not asked & passage:
        return False
    for family in {_family(k) for k in sentence}:
        wanted = {k for k in asked if _family(k) == family}
        if wanted and not wanted & sentence:
            return False
    return True


def _contrasts(question: str, sentence: str) -> bool:
    """Whether the sentence says the same thing of something else: the question's "study leave"
    or "second quarter" against the sentence's "annual leave" or "first quarter" (a word of the
    question held, the word before it in the question missing, another word before it instead)."""
    asked, stated = _pairs(question), _pairs(sentence)
    wanted = [w for pair in asked for w in pair]
    held = [w for w in _words(sentence) if w]
    return any(
        word in held
        and not any(_alike(before, w) for w in held)
        and not any(_alike(other, w) for w in wanted)
        for before, word in asked
        for other, after in stated
        if after == word
    )


def _alike(a: str, b: str) -> bool:
    """Stems of one word, as far as a light stemmer can tell: "fir" (fires) and "fire"."""
    return a.startswith(b) or b.startswith(a) or a[:4] == b[:4]


def _pairs(text: str) -> set[tuple[str, str]]:
    """Adjacent content words, stemmed: "annual leave" → ("annual", "leav")."""
    words = _words(text)
    return {(a, b) for a, b in pairwise(words) if a and b}


def _words(text: str) -> list[str | None]:
    """The words of `text` in order, stemmed, None for a stopword or a number."""
    parts = [p for token in TOKEN.findall(text) for p in token.lower().split("-") if p]
    return [stem(p) if p.isalpha() and p not in STOPWORDS and len(p) > 2 else None for p in parts]


def _family(code: str) -> str:
    """A code's leading letters: "aq" of "aq500e"."""
    return re.match(r"[a-z]*", code).group()  # type: ignore[union-attr]


def _without(text: str, named: frozenset[str]) -> str:
    """`text` without the words in `named` (lower-cased codes and names)."""
    kept = [w for w in text.split() if vocabulary(w).isdisjoint(named)]
    return " ".join(kept)
