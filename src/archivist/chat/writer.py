"""The answer as it is written: model text arrives in pieces, each finished sentence is checked,
and what the reader sees (and what is stored) is built here, with per-sentence records.

strict: unsupported sentences never reach the reader. flag: they do, marked. off: everything
passes unchecked. Every kept supported sentence ends with the marker of the source that supports
it, whatever the model wrote; unsupported ones carry no marker.
"""

import re
from dataclasses import dataclass, field
from typing import Literal

from archivist.chat.citations import strip_markers
from archivist.chat.extractive import Candidate
from archivist.chat.grounding import Checker, Verdict
from archivist.chat.text import sentence_spans

Mode = Literal["strict", "flag", "off"]
TRAILING = re.compile("[.!?:;,]*[\"'\u201d\u2019)]*$")


@dataclass(frozen=True)
class Written:
    """One sentence of the answer: where it sits in the content, and what supports it."""

    start: int
    end: int
    supported: bool
    citation: int | None
    quote: tuple[int, int] | None


@dataclass
class Writer:
    checker: Checker
    mode: Mode
    content: str = ""
    sentences: list[Written] = field(default_factory=list)
    dropped: int = 0
    _pending: str = ""
    _consumed: int = 0  # characters of `_pending` already handled

    def feed(self, piece: str) -> list[tuple[str, bool]]:
        """The new text for the reader (with whether it is supported) once sentences finish."""
        self._pending += piece
        spans = [s for s in sentence_spans(self._pending) if s[0] >= self._consumed]
        return self._take(spans[:-1]) if len(spans) > 1 else []

    def finish(self) -> list[tuple[str, bool]]:
        return self._take([s for s in sentence_spans(self._pending) if s[0] >= self._consumed])

    def quote_sources(self, chosen: list[Candidate]) -> list[tuple[str, bool]]:
        """Source sentences as the answer, each in quotation marks with its marker."""
        out = []
        for candidate in chosen:
            body = f"“{candidate.text.strip()}” [{candidate.source.n}]"
            verdict = Verdict(True, candidate.source.n, candidate.span)
            out.append(self._append(" " if self.content else "", body, verdict))
        return out

    def say(self, text: str) -> list[tuple[str, bool]]:
        """A statement of the product's own (such as "not in your documents"), not a claim."""
        self.content += text
        return [(text, True)]

    @property
    def supported(self) -> int:
        return sum(1 for s in self.sentences if s.supported)

    def _take(self, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
        out = []
        for start, end in spans:
            gap = self._pending[self._consumed : start]
            self._consumed = end
            raw = self._pending[start:end]
            if self.mode == "off":
                out.append(self._append(_separator(gap, self.content), raw, None))
                continue
            verdict = self.checker.check(raw)
            if not verdict.supported and self.mode == "strict":
                self.dropped += 1
                continue
            out.append(self._append(_separator(gap, self.content), _cite(raw, verdict), verdict))
        return out

    def _append(self, gap: str, body: str, verdict: Verdict | None) -> tuple[str, bool]:
        self.content += gap
        start = len(self.content)
        self.content += body
        supported = verdict is None or verdict.supported
        if verdict is not None:
            self.sentences.append(
                Written(start, len(self.content), supported, verdict.citation, verdict.quote)
            )
        return gap + body, supported


def _cite(raw: str, verdict: Verdict) -> str:
    body = strip_markers(raw)
    if verdict.citation is None:
        return body
    end = TRAILING.search(body)
    cut = end.start() if end else len(body)
    return f"{body[:cut]} [{verdict.citation}]{body[cut:]}"


def _separator(gap: str, content: str) -> str:
    """Keep the model's line breaks and list bullets; otherwise one space between sentences."""
    if not content:
        return ""
    if "\n" not in gap:
        return " "
    breaks = "\n\n" if gap.count("\n") > 1 else "\n"
    return breaks + gap.rsplit("\n", 1)[1].lstrip(" \t")
