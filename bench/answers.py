"""Answer bench: are chat answers right, cited to the right document, and free of invented facts?

    .venv/bin/python -m bench.answers [--mode default openai local extractive] [--split report]
                                      [--url http://host:port] [--out answers.json]
    .venv/bin/python -m bench.answers --report-from a.json [b.json…]   # the tables again

Uploads the Brightwater corpus (bench/answers/documents, binary formats made here) to a fresh
organisation, waits until it is indexed, asks every question of the split in its own chat session
and scores the answers:

- fact accuracy: answerable questions whose answer holds every required fact;
- citation correctness: of answerable answers citing a document, those where each required fact
  is in a cited document that holds it (the questions file names the documents that do);
- unsupported claims: numbers, dates, amounts and capitalised names in the answer that neither the
  question nor any cited document holds (the count, and the share of answers with one or more);
- abstention: unanswerable questions answered with "not in your documents" (`grounding ==
  "not_found"` or a clear phrase) and no unsupported figure; false abstention on answerable ones;
- time from the request to the `sources` event and to `done` (p50/p95).

Modes, each on its own throwaway stack: `default` (no model configured: the stack picks),
`openai` (llama.cpp's OpenAI-compatible server with the bundled model), `local`
(`ARCHIVIST_LLM__PROVIDER=local`), `extractive`. With `--url` the questions go to a running stack
(a fresh organisation is registered there) and the mode is whatever that stack is set up with.
"""

import argparse
import asyncio
import csv
import functools
import importlib.util
import io
import json
import math
import os
import re
import subprocess
import sys
import textwrap
import time
import uuid
import zipfile
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import docx
import httpx
import openpyxl
import yaml

from archivist.embedded.ports import free_port
from tests.factories.files import pdf_bytes

DATA = Path(__file__).parent / "answers"
MODES = ("default", "openai", "local", "extractive")
PAGE_BREAK = "--- page ---"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)
MIME = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".md": "text/markdown",
    ".txt": "text/plain",
    ".csv": "text/csv",
}


# --- the data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    name: str  # the uploaded file's name, e.g. expense-policy.pdf
    content: bytes
    content_type: str
    text: str  # what the file says, to check facts and claims against


@dataclass(frozen=True)
class Question:
    id: str
    split: str
    kind: str
    question: str
    answerable: bool
    facts: list[list[str]]
    documents: list[str]


def corpus(names: Collection[str] | None = None) -> list[Document]:
    """The documents (all, or those named), binary formats rendered the same way every time."""
    documents = list(_all_documents())
    if names is not None:
        missing = set(names) - {d.name for d in documents}
        if missing:
            raise ValueError(f"no such documents: {sorted(missing)}")
        documents = [d for d in documents if d.name in names]
    return documents


@functools.cache
def _all_documents() -> tuple[Document, ...]:
    return tuple(_document(path) for path in sorted((DATA / "documents").iterdir()))


def questions(split: str = "all", ids: Collection[str] | None = None) -> list[Question]:
    raw = yaml.safe_load((DATA / "questions.yaml").read_text())
    found = [Question(**item) for item in raw]
    if ids is not None:
        return [q for q in found if q.id in ids]
    return [q for q in found if split == "all" or q.split == split]


def _document(path: Path) -> Document:
    source = path.read_text()
    if path.name.endswith(".pdf.txt"):
        pages = [_wrap(page.strip("\n")) for page in source.split(f"\n{PAGE_BREAK}\n")]
        return _make(path.name.removesuffix(".txt"), pdf_bytes(pages), "\n".join(pages))
    if path.name.endswith(".docx.txt"):
        paragraphs = [" ".join(p.split()) for p in source.split("\n\n") if p.strip()]
        return _make(path.name.removesuffix(".txt"), _docx(paragraphs), "\n\n".join(paragraphs))
    if path.name.endswith(".xlsx.yaml"):
        sheets: dict[str, list[list[object]]] = yaml.safe_load(source)
        text = "\n".join(
            f"Sheet: {title}\n" + "\n".join("\t".join(str(c) for c in row) for row in rows)
            for title, rows in sheets.items()
        )
        return _make(path.name.removesuffix(".yaml"), _xlsx(sheets), text)
    if path.suffix == ".csv":
        # As the API reads a table: one line per row, cells apart (a comma is not a separator
        # inside "5,1 hour" to anyone reading the text).
        rows = csv.reader(io.StringIO(source))
        return _make(path.name, source.encode(), "\n".join("\t".join(row) for row in rows))
    return _make(path.name, source.encode(), source)


def _make(name: str, content: bytes, text: str) -> Document:
    title = name.split(".", 1)[0]  # the API titles a document by its file name's stem
    return Document(name, content, MIME[Path(name).suffix], f"{title}\n{text}")


def _wrap(page: str) -> str:
    # A line runs off a letter-size page past ~90 characters; wrapped, the PDF reads like one.
    return "\n".join(textwrap.fill(line, 90) if line else line for line in page.split("\n"))


def _docx(paragraphs: Sequence[str]) -> bytes:
    document = docx.Document()
    document.core_properties.created = document.core_properties.modified = _fixed_datetime()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue())


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    workbook.properties.created = workbook.properties.modified = _fixed_datetime()
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return _fixed_zip(out.getvalue())


def _fixed_datetime() -> Any:
    import datetime

    return datetime.datetime(*FIXED_TIME)


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed member times, so a document's bytes never change."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, FIXED_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>2026-01-01T00:00:00Z",
                    data,
                )
            dst.writestr(member, data)
    return out.getvalue()


# --- judging an answer ----------------------------------------------------------------------

MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
MARKER = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
NUMBER = re.compile(r"(?<![\w.])(?<![A-Za-z]-)[-+]?\d+(?:[.,:]\d+)*%?")
CUT = re.compile(r"[ \t]*\x00[ \t]*(?:\n|$)")
WORD = re.compile("[\\w'\u2019.-]*\\w")
# Sentence openers and words of an answer's own frame: capitalised, but nobody's name.
FRAME_WORDS = {
    "a", "according", "also", "an", "and", "answer", "as", "based", "but", "document",
    "documents", "eur", "euro", "euros", "for", "from", "here", "however", "i", "if", "in", "it", "no", "not", "note",
    "on", "please", "so", "source", "sources", "sorry", "that", "the", "there", "these", "they",
    "this", "to", "unfortunately", "we", "what", "when", "which", "who", "yes", "you", "your",
}  # fmt: skip
ABSTAIN = re.compile(
    r"could ?n[o']t find|can ?n[o']t find|cannot find|unable to (?:find|answer|locate)"
    r"|no (?:information|mention|details?|data|answer|record)\b"
    r"|(?:is|are|was|were) not (?:mentioned|specified|stated|provided|given|included|listed"
    r"|covered|available|found)"
    r"|(?:does|do|did) ?n[o']t (?:say|mention|specify|state|contain|include|provide|cover|list"
    r"|give|answer)"
    r"|not (?:in|found in) (?:the|your) (?:documents|sources)"
    r"|i (?:do not|don't) know|there is nothing",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    """Lower case, one spelling of dashes, quotes, currency, thousands and ordinals."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    text = re.sub("[\u2010-\u2015\u2212]", "-", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("*", "").replace("`", "")
    text = MARKER.sub(" ", text).lower()
    text = re.sub(r"€\s*", "eur ", text)
    text = re.sub(r"(?<![\w.,])(\d[\d.,]*)\s*(?:eur|euros?)\b", r"eur \1", text)
    text = re.sub(r"(?<=\d)[,  ](?=\d{3}(?!\d))", "", text)
    text = re.sub(r"(?<=\d)\.0+(?![\d])", "", text)
    text = re.sub(r"\b(\d{1,2})(?:st|nd|rd|th)\b", r"\1", text)
    text = re.sub(rf"\b(\d{{1,2}}) of ({MONTHS})\b", r"\1 \2", text)
    return " ".join(text.split())


def holds(text: str, spelling: str) -> bool:
    """`spelling` appears in `text` (both normalised) as a whole: 12 is not in 2012 or 12.5."""
    needle = normalise(spelling)
    if not needle:
        return False
    before = r"(?<![\w])(?<!\d[.,])" if needle[0].isalnum() else ""
    after = r"(?![\w])(?![.,]\d)" if needle[-1].isalnum() else ""
    return re.search(before + re.escape(needle) + after, normalise(text)) is not None


def claims(answer: str) -> list[str]:
    """Numbers, dates, amounts and names the answer states (in the answer's own spelling)."""
    return [claim for claim, _ in _claims(answer)]


def _claims(answer: str) -> list[tuple[str, bool]]:
    """Each claim, and whether it ends a quoted passage cut short (a word right before the
    passage's [n] and the end of its line may be a fragment: "degrees Cels [2]")."""
    # Markers become a sign of their own; list numbering ("1. ", "2) ") is layout.
    text = re.sub(r"(?m)^(\s*)\d+[.)]\s", r"\1   ", MARKER.sub(" \x00", answer))
    found = [
        (m.group().lstrip("+"), CUT.match(text, m.end()) is not None) for m in NUMBER.finditer(text)
    ]
    previous = 0
    for match in WORD.finditer(text):
        # A capital that only opens a sentence says nothing; a code (AQ-500) always does.
        opens = previous == 0 or re.search(r"[.!?:]\s|\n", text[previous : match.start()])
        previous = match.end()
        word = re.sub("['\u2019]s$", "", match.group().strip("-'\u2019."))
        coded = any(c.isdigit() for c in word)
        # A lone letter is a unit (25 °C, 5 W) or an initial, never a whole name.
        if len(word) < 2 or not any(c.isalpha() for c in word) or word.lower() in FRAME_WORDS:
            continue
        if (word[0].isupper() and not opens) or coded:
            found.append((word, CUT.match(text, match.end()) is not None))
    return [(claim, cut) for claim, cut in found if claim.strip("-")]


def unsupported(answer: str, question: str, sources: Sequence[str]) -> list[str]:
    """The answer's claims that neither the question nor any of `sources` holds."""
    return [
        claim
        for claim, cut in _claims(answer)
        if not holds(question, claim)
        and not any(holds(text, claim) for text in sources)
        and not (cut and any(_starts_a_word(text, claim) for text in sources))
    ]


def _starts_a_word(text: str, fragment: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(normalise(fragment)), normalise(text)) is not None


def abstains(answer: str, grounding: str | None) -> bool:
    return grounding == "not_found" or ABSTAIN.search(answer) is not None


@dataclass
class Outcome:
    """What the chat said to one question."""

    answer: str = ""
    grounding: str | None = None
    cited: list[str] = field(default_factory=list)  # cited documents' file names, in order
    retrieved: list[str] = field(default_factory=list)  # the `sources` event's documents
    first_source_ms: float | None = None
    done_ms: float | None = None
    error: str | None = None


@dataclass
class Verdict:
    id: str
    kind: str
    question: str
    answerable: bool
    outcome: Outcome
    correct: bool  # answerable: every fact stated; unanswerable: abstained cleanly
    missing: list[list[str]]
    citation_correct: bool | None  # None: not answerable, or no document cited
    unsupported: list[str]
    abstained: bool
    why: list[str]


def judge(question: Question, outcome: Outcome, texts: dict[str, str]) -> Verdict:
    answer = outcome.answer
    cited_texts = [texts[name] for name in dict.fromkeys(outcome.cited) if name in texts]
    extra = unsupported(answer, question.question, cited_texts)
    abstained = abstains(answer, outcome.grounding)
    missing = [f for f in question.facts if not any(holds(answer, s) for s in f)]
    why: list[str] = []
    citation_correct: bool | None = None
    if outcome.error:
        why.append(f"error: {outcome.error}")
    if question.answerable:
        correct = not missing and not outcome.error
        if missing:
            why.append("missing " + "; ".join(" / ".join(f) for f in missing))
        if abstained:
            why.append("abstained on an answerable question")
        if outcome.cited:
            gold = [name for name in dict.fromkeys(outcome.cited) if name in question.documents]
            citation_correct = all(
                any(any(holds(texts[name], s) for s in fact) for name in gold)
                for fact in question.facts
            )
            if not citation_correct:
                why.append(
                    "cited " + ", ".join(dict.fromkeys(outcome.cited)) + " for a fact in "
                    + ", ".join(question.documents)
                )  # fmt: skip
        elif not correct:
            why.append("cited nothing")
    else:
        correct = abstained and not extra and not outcome.error
        if not abstained:
            why.append("did not say the documents do not answer")
    if extra:
        why.append("unsupported: " + ", ".join(dict.fromkeys(extra)))
    return Verdict(
        question.id,
        question.kind,
        question.question,
        question.answerable,
        outcome,
        correct,
        missing,
        citation_correct,
        extra,
        abstained,
        why,
    )


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def _percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest rank: the smallest value with at least p of all values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(p * len(ordered)) - 1)])


def summarise(verdicts: Sequence[Verdict]) -> dict[str, Any]:
    answerable = [v for v in verdicts if v.answerable]
    unanswerable = [v for v in verdicts if not v.answerable]
    with_citations = [v for v in answerable if v.citation_correct is not None]
    firsts = [v.outcome.first_source_ms for v in verdicts if v.outcome.first_source_ms is not None]
    dones = [v.outcome.done_ms for v in verdicts if v.outcome.done_ms is not None]
    by_kind = {
        kind: _share([v.correct for v in verdicts if v.kind == kind])
        for kind in sorted({v.kind for v in verdicts})
    }
    return {
        "questions": len(verdicts),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "fact_accuracy": _share([v.correct for v in answerable]),
        "citation_correctness": _share([bool(v.citation_correct) for v in with_citations]),
        "answers_citing": len(with_citations),
        "unsupported_claims": sum(len(v.unsupported) for v in verdicts),
        "answers_with_unsupported": _share([bool(v.unsupported) for v in verdicts]),
        "abstention": _share([v.correct for v in unanswerable]),
        "false_abstention": _share([v.abstained for v in answerable]),
        "errors": sum(1 for v in verdicts if v.outcome.error),
        "first_source_ms_p50": _percentile(firsts, 0.5),
        "first_source_ms_p95": _percentile(firsts, 0.95),
        "done_ms_p50": _percentile(dones, 0.5),
        "done_ms_p95": _percentile(dones, 0.95),
        "accuracy_by_kind": by_kind,
    }


# --- talking to the stack -------------------------------------------------------------------


async def upload_corpus(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    documents: Sequence[Document],
    timeout: float = 600,
) -> dict[str, str]:
    """Uploads every document, waits until all are indexed; returns document id → file name."""
    names: dict[str, str] = {}
    for document in documents:
        response = await client.post(
            "/api/files",
            files={"file": (document.name, document.content, document.content_type)},
            headers=headers,
        )
        if response.status_code != 202:
            raise RuntimeError(f"upload of {document.name}: {response.status_code} {response.text}")
        names[response.json()["document_id"]] = document.name
    deadline = time.monotonic() + timeout
    pending = set(names)
    while pending:
        for document_id in sorted(pending):
            response = await client.get(f"/api/documents/{document_id}", headers=headers)
            response.raise_for_status()
            status = response.json()["status"]
            if status == "failed":
                raise RuntimeError(f"{names[document_id]} failed to index: {response.json()}")
            if status == "indexed":
                pending.discard(document_id)
        if pending and time.monotonic() > deadline:
            raise RuntimeError(f"not indexed after {timeout} s: {[names[d] for d in pending]}")
        if pending:
            await asyncio.sleep(0.5)
    return names


async def ask(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    question: str,
    names: dict[str, str],
    timeout: float = 600,
) -> Outcome:
    """One question in a new session, read from the SSE stream as a browser would."""
    outcome = Outcome()
    session = await client.post("/api/chat/sessions", json={}, headers=headers)
    session.raise_for_status()
    started = time.perf_counter()
    event = ""
    text = ""
    async with client.stream(
        "POST",
        f"/api/chat/sessions/{session.json()['id']}/messages",
        json={"content": question},
        headers=headers,
        timeout=timeout,
    ) as response:
        if response.status_code != 200:
            outcome.error = f"HTTP {response.status_code}: {(await response.aread())[:300]!r}"
            return outcome
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line[len("event: ") :]
                continue
            if not line.startswith("data: "):
                continue
            data = json.loads(line[len("data: ") :])
            elapsed = (time.perf_counter() - started) * 1000
            if event == "sources":
                outcome.first_source_ms = elapsed
                outcome.retrieved = [names.get(s["document_id"], "?") for s in data]
            elif event == "delta":
                text += data.get("text", "")
            elif event == "done":
                outcome.done_ms = elapsed
                outcome.answer = data.get("content", text)
                outcome.grounding = data.get("grounding")
                outcome.cited = [names.get(c["document_id"], "?") for c in data["citations"]]
            elif event == "error":
                outcome.error = f"{data.get('error')}: {data.get('detail')}"
                outcome.answer = text
    if outcome.done_ms is None and outcome.error is None:
        outcome.error = "the stream ended without done"
        outcome.answer = text
    return outcome


async def run(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    documents: Sequence[Document],
    asked: Sequence[Question],
    progress: Callable[[Verdict], None] | None = None,
) -> list[Verdict]:
    """Uploads `documents`, asks `asked`, judges every answer (`progress` sees each verdict)."""
    names = await upload_corpus(client, headers, documents)
    texts = {d.name: d.text for d in documents}
    verdicts = []
    for question in asked:
        outcome = await ask(client, headers, question.question, names)
        verdict = judge(question, outcome, texts)
        verdicts.append(verdict)
        if progress:
            progress(verdict)
    return verdicts


# --- the report -----------------------------------------------------------------------------

ROWS = [
    ("fact accuracy (answerable)", "fact_accuracy", "≥ 0.8"),
    ("citation correctness", "citation_correctness", ""),
    ("answers citing a document", "answers_citing", ""),
    ("unsupported claims (count)", "unsupported_claims", "0"),
    ("answers with ≥ 1 unsupported claim", "answers_with_unsupported", ""),
    ("abstention (unanswerable)", "abstention", "≥ 0.9"),
    ("false abstention (answerable)", "false_abstention", ""),
    ("errors", "errors", ""),
    ("request → sources p50 / p95 (ms)", ("first_source_ms_p50", "first_source_ms_p95"), ""),
    ("request → done p50 / p95 (ms)", ("done_ms_p50", "done_ms_p95"), ""),
]


def markdown(results: dict[str, dict[str, Any]]) -> str:
    modes = list(results)
    lines = [
        "| measure | " + " | ".join(modes) + " | target (default) |",
        "|---|" + "---|" * len(modes) + "---|",
    ]
    for label, key, target in ROWS:
        cells = []
        for mode in modes:
            summary = results[mode]["summary"]
            if isinstance(key, tuple):
                cells.append(" / ".join(str(summary[k]) for k in key))
            else:
                cells.append(str(summary[key]))
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    kinds = sorted({k for mode in modes for k in results[mode]["summary"]["accuracy_by_kind"]})
    lines += ["", "| correct by kind | " + " | ".join(modes) + " |", "|---|" + "---|" * len(modes)]
    for kind in kinds:
        cells = [str(results[m]["summary"]["accuracy_by_kind"].get(kind)) for m in modes]
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    for mode in modes:
        wrong = [v for v in results[mode]["verdicts"] if not v["correct"] or v["why"]]
        lines += ["", f"### {mode}: {len(wrong)} answers wrong or flagged", ""]
        for v in wrong:
            answer = " ".join(v["outcome"]["answer"].split())
            lines.append(
                f"- **{v['id']}** ({v['kind']}) {v['question']}\n"
                f"  - answer: {textwrap.shorten(answer, 500) or '(empty)'}\n"
                f"  - cited: {', '.join(dict.fromkeys(v['outcome']['cited'])) or 'nothing'}"
                f"; why: {'; '.join(v['why'])}"
            )
    return "\n".join(lines)


# --- running stacks -------------------------------------------------------------------------


@contextmanager
def llama_server(threads: int = 2) -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server with the bundled model; yields its /v1 URL."""
    from archivist.llm import local

    model = local.bundled_model_path()
    if model is None or importlib.util.find_spec("sse_starlette") is None:
        raise SystemExit("openai mode needs the bundled model and llama_cpp.server (dev extra)")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "llama_cpp.server", "--model", str(model),
            "--host", "127.0.0.1", "--port", str(port), "--interrupt_requests", "False",
            "--n_threads", str(threads), "--n_ctx", "4096",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("llama_cpp.server did not start")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def mode_stack(mode: str) -> Iterator[str]:
    """A fresh stack answering in `mode`; yields its base URL."""
    from bench.stack import running_stack

    env = {"ARCHIVIST_AUTH__API_REQUESTS_PER_MINUTE": "1000000"}
    if mode == "openai":
        with llama_server() as url:
            env |= {"ARCHIVIST_LLM__BASE_URL": url, "ARCHIVIST_LLM__MODEL": "smollm2"}
            env["ARCHIVIST_LLM__TIMEOUT_SECONDS"] = "300"
            with running_stack(None, **env) as stack:
                yield stack.base
        return
    if mode in ("local", "extractive"):
        env["ARCHIVIST_LLM__PROVIDER"] = mode
    with running_stack(None, **env) as stack:
        yield stack.base


async def run_against(
    base: str, asked: Sequence[Question], progress: Callable[[Verdict], None]
) -> list[Verdict]:
    email = f"answers-{uuid.uuid4().hex[:12]}@example.com"
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        response = await client.post(
            "/api/auth/register",
            json={"email": email, "password": "answer bench password", "organization_name": "BW"},
        )
        response.raise_for_status()
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        return await run(client, headers, corpus(), asked, progress)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", nargs="+", choices=MODES, default=["default", "openai"])
    parser.add_argument(
        "--split", choices=("tune", "report", "holdout", "holdout2", "all"), default="report"
    )
    parser.add_argument(
        "--limit", type=int, help="ask only N questions of the split, spread over it"
    )
    parser.add_argument("--url", help="a running stack to ask instead of starting one per mode")
    parser.add_argument("--out", type=Path, default=Path("answers.json"), help="JSON results")
    args = parser.parse_args()

    asked = questions(args.split)
    # Every fourth question first: a run cut short has still asked some of every kind.
    asked = [q for offset in (0, 2, 1, 3) for q in asked[offset::4]]
    if args.limit:
        asked = asked[: args.limit]
    print(f"{len(asked)} questions ({args.split}), {len(corpus())} documents", flush=True)
    # The default mode means "nothing configured": no model settings from this shell leak in.
    for name in [n for n in os.environ if n.startswith("ARCHIVIST_LLM__")]:
        del os.environ[name]
    results: dict[str, dict[str, Any]] = {}
    targets = {"running": args.url} if args.url else dict.fromkeys(args.mode, "")
    for mode, url in targets.items():
        print(f"== {mode}", flush=True)
        done: list[Verdict] = []

        def progress(verdict: Verdict, mode: str = mode, done: list[Verdict] = done) -> None:
            # Saved after every answer: a run cut short still leaves its figures.
            done.append(verdict)
            mark = "ok " if verdict.correct else "BAD"
            print(f"  {mark} {verdict.id} {verdict.outcome.done_ms or 0:7.0f} ms", flush=True)
            results[mode] = {"summary": summarise(done), "verdicts": [asdict(v) for v in done]}
            args.out.write_text(json.dumps({"split": args.split, "modes": results}, indent=2))

        if url:
            asyncio.run(run_against(url, asked, progress))
        else:
            with mode_stack(mode) as base:
                asyncio.run(run_against(base, asked, progress))
    print(markdown(results))
    print(f"\nresults: {args.out}")


def report_from(paths: Sequence[Path]) -> None:
    """The tables of results files (also of runs cut short), side by side, their answers judged
    again by the code as it is now."""
    modes = {m: r for path in paths for m, r in json.loads(path.read_text())["modes"].items()}
    by_id = {q.id: q for q in questions()}
    texts = {d.name: d.text for d in corpus()}
    results = {}
    for mode, result in modes.items():
        verdicts = [
            judge(by_id[v["id"]], Outcome(**v["outcome"]), texts) for v in result["verdicts"]
        ]
        results[mode] = {"summary": summarise(verdicts), "verdicts": [asdict(v) for v in verdicts]}
    print(markdown(results))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--report-from"]:
        report_from([Path(arg) for arg in sys.argv[2:]])
    else:
        main()
