"""Whether each sentence of an answer is supported by the source it cites, and which span of that
source says so.

A sentence is supported by a passage when every number and code it states appears in the
passage's supporting sentence (two neighbouring sentences for two or more figures) together with
enough of its content words, every name it states appears in the passage (or the question, or the
document's title), it does not contradict that sentence's negation, and enough of its content
words are the passage's. Deterministic and cheap: no second model call. The embedder is used by
`extractive.py` to choose sentences, not here.
"""

from dataclasses import dataclass, field
from functools import cached_property

from archivist.chat.citations import Source, cited_numbers, strip_markers
from archivist.chat.text import Claims, claims, sentence_spans, vocabulary

# Share of a sentence's content words that its passage must hold: lower when the sentence's
# numbers and names already matched there, since those carry the claim.
COVERAGE_WITH_FACTS = 0.4
COVERAGE_WITHOUT_FACTS = 0.6


@dataclass
class Passage:
    """A source's text, split once into sentences whose claims are compared with the answer's."""

    source: Source

    @cached_property
    def spans(self) -> list[tuple[int, int]]:
        return sentence_spans(self.source.text)

    @cached_property
    def sentence_claims(self) -> list[Claims]:
        return [claims(self.source.text[a:b]) for a, b in self.spans]

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        return vocabulary(self.source.title + "\n" + self.source.text)


@dataclass(frozen=True)
class Verdict:
    supported: bool
    citation: int | None = None  # the source number that supports it
    quote: tuple[int, int] | None = None  # the supporting span in that source's text


@dataclass
class Checker:
    """Checks answer sentences against the sources retrieved for `question`."""

    question: str
    sources: list[Source]
    passages: list[Passage] = field(init=False)
    question_words: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.passages = [Passage(s) for s in self.sources]
        self.question_words = vocabulary(self.question)

    def check(self, sentence: str) -> Verdict:
        """`sentence` may carry [n] markers: the passages they name are tried first."""
        said = claims(strip_markers(sentence))
        if not said.words and not said.hard:
            return Verdict(False)
        cited = [p for p in self.passages if p.source.n in cited_numbers(sentence)]
        others = [p for p in self.passages if p not in cited]
        for passage in cited + others:
            quote = self._support(passage, said)
            if quote is not None:
                return Verdict(True, passage.source.n, quote)
        return Verdict(False)

    def _support(self, passage: Passage, said: Claims) -> tuple[int, int] | None:
        """The span of `passage` that supports `said`, or None."""
        held = passage.vocabulary
        if not all(name in held or name in self.question_words for name in said.names):
            return None
        if said.words:
            coverage = len(said.words & held) / len(said.words)
            needed = COVERAGE_WITH_FACTS if said.hard else COVERAGE_WITHOUT_FACTS
            if coverage < needed:
                return None
        # Figures must come from the supporting sentence itself, with the words they belong to:
        # a "60" or a "1" elsewhere in the passage (another deadline, "1 to 60 minutes" after
        # "accuracy: 10%") supports nothing.
        start, end = _quote(passage, said)
        quoted = vocabulary(
            passage.source.title + "\n" + passage.source.text[start:end], strict=True
        )
        figures = said.numbers | said.codes
        if not figures <= quoted:
            return None
        if (
            figures
            and said.words
            and len(said.words & quoted) < COVERAGE_WITH_FACTS * len(said.words)
        ):
            return None
        if claims(passage.source.text[start:end]).negated != said.negated:
            return None
        return start, end


def _quote(passage: Passage, said: Claims) -> tuple[int, int]:
    """The passage sentence that shares most of `said`'s claims (or two neighbours, for a
    sentence stating two or more figures)."""

    def score(i: int, j: int) -> tuple[int, int, int]:
        hard = frozenset().union(*(c.hard for c in passage.sentence_claims[i:j]))
        words = frozenset().union(*(c.words for c in passage.sentence_claims[i:j]))
        return (len(said.hard & hard), len(said.words & words), -(j - i))

    count = len(passage.spans)
    if not count:
        return 0, len(passage.source.text)
    ranges = [(i, i + 1) for i in range(count)]
    if len(said.numbers | said.codes) >= 2:  # two figures may come from two sentences
        ranges += [(i, i + 2) for i in range(count - 1)]
    best_i, best_j = max(ranges, key=lambda r: score(*r))
    return passage.spans[best_i][0], passage.spans[best_j - 1][1]
