"""Plain-text pieces the grounding check works with: sentences with their offsets, and the words,
numbers, codes and names a sentence claims."""

import re
from dataclasses import dataclass

# A full stop after one of these does not end a sentence.
ABBREVIATIONS = {
    "e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "no", "nos", "st", "approx",
    "fig", "inc", "ltd", "co", "corp", "jr", "sr", "a.m", "p.m", "u.s", "u.k", "dept", "ext",
    "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}  # fmt: skip
# Sentence ends: terminal punctuation (with closing quotes or brackets) before white space, a
# line break, or a table cell boundary in extracted spreadsheets.
END = re.compile("[.!?]+[\"'\u201d\u2019)\\]]*(?=\\s|$)|\n+")
MARKERS_AFTER = re.compile(r"(?:\s*\[\d+(?:\s*,\s*\d+)*\])+")
LEADER = re.compile(r"(?:[-*•]\s+|\d{1,2}[.)]\s+|#+\s+|>\s*)+")

STOPWORDS = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few",
    "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "itself", "just", "me", "more", "most", "my", "myself", "of", "off", "on", "once", "only",
    "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should",
    "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then",
    "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
    "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why",
    "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "according",
    "document", "documents", "source", "sources", "say", "says", "said", "state", "states",
    "stated", "answer", "question", "per", "via", "might", "must", "shall", "one", "ones",
    "every", "within", "without", "based", "following", "many", "much", "long", "get", "gets",
    "quickly", "often", "kind", "exactly", "date", "amount", "rate", "length", "time", "number",
    "duration", "size", "figure", "value", "percentage",
}  # fmt: skip
# The last words above name the kind of value a question asks for ("by what date", "what rate"):
# an answer states the value, not the word.
NEGATIONS = {"not", "no", "never", "cannot", "nor", "none", "neither", "without"}
NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
    "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
    "hundred": "100", "first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5",
    "sixth": "6", "seventh": "7", "eighth": "8", "ninth": "9", "tenth": "10", "eleventh": "11",
    "twelfth": "12", "half": "0.5", "once": "1", "twice": "2", "dozen": "12",
}  # fmt: skip
# A word, code or number; "1,200.50" and "v2.1" stay whole.
TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9'\u2019\-]|[.,](?=\d))*")
NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_possessive = re.compile("['\u2019]s$")
ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$", re.IGNORECASE)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of `text` starts and ends, without surrounding white space or list
    bullets; `[n]` markers right after a sentence's full stop belong to that sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in END.finditer(text):
        end = match.end()
        if match.group().startswith(".") and (
            _abbreviation_before(text, match.start())
            or text[start : match.start()].strip().isdigit()  # a numbered list's "2."
        ):
            continue
        markers = MARKERS_AFTER.match(text, end)
        if markers:
            end = markers.end()
        _add(text, start, end, spans)
        start = end
    _add(text, start, len(text), spans)
    return spans


def _abbreviation_before(text: str, dot: int) -> bool:
    word = re.search(r"([A-Za-z][A-Za-z.]*)$", text[max(0, dot - 12) : dot])
    if not word:
        return False
    token = word.group(1).lower()
    return token in ABBREVIATIONS or (len(token) == 1 and text[dot - 1].isupper())


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    left = start + len(piece) - len(piece.lstrip())
    leader = LEADER.match(text, left)
    if leader and leader.end() < start + len(piece.rstrip()):
        left = leader.end()
    right = start + len(piece.rstrip())
    if re.search(r"[A-Za-z0-9]", text[left:right]):
        spans.append((left, right))


def stem(word: str) -> str:
    """A light suffix stripper: "days"/"day", "approved"/"approve", "policies"/"policy",
    "carried"/"carry"."""
    word = word.lower().replace("\u2019", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if word.endswith(("ies", "ied")) and len(word) > 4:
        return word[:-3] + "y"
    for suffix in ("ment", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


@dataclass(frozen=True)
class Claims:
    """What a piece of text asserts, in comparable form."""

    numbers: frozenset[str]  # "1200", "14", "0.5": digits and number words alike
    codes: frozenset[str]  # identifiers with digits and letters: "x200", "sku-44"
    names: frozenset[str]  # capitalised words not opening the sentence: "falcon", "berlin"
    words: frozenset[str]  # stemmed content words
    negated: bool

    @property
    def hard(self) -> frozenset[str]:
        return self.numbers | self.codes | self.names


def claims(text: str) -> Claims:
    numbers: set[str] = set()
    codes: set[str] = set()
    names: set[str] = set()
    words: set[str] = set()
    negated = False
    for index, match in enumerate(TOKEN.finditer(text)):
        token = _possessive.sub("", match.group().strip("-'\u2019"))
        lower = token.lower()
        if not token:
            continue
        if any(c.isdigit() for c in token):
            if _is_code(token):
                codes.add(lower)
            numbers.update(_numbers(token))
            continue
        if lower in NUMBER_WORDS:
            numbers.add(NUMBER_WORDS[lower])
            continue
        if lower in NEGATIONS or lower.endswith("n't"):
            negated = True
            continue
        if lower in STOPWORDS or len(lower) < 3 or token == "may":  # "May" is a month
            continue
        if token[0].isupper() and index > 0 and not _opens_line(text, match.start()):
            names.add(lower)
        words.add(stem(lower))
    return Claims(frozenset(numbers), frozenset(codes), frozenset(names), frozenset(words), negated)


def vocabulary(text: str, strict: bool = False) -> frozenset[str]:
    """Every lower-cased word and stem of `text`, with numbers normalised: what supports claims.

    `strict`: only amounts count as numbers, not the digits of a code ("PM1", "AQ300"), for
    checking a sentence's figures; else every run of digits does, for matching a question."""
    found: set[str] = set()
    for match in TOKEN.finditer(text):
        token = _possessive.sub("", match.group().strip("-'\u2019"))
        lower = token.lower()
        found.add(lower)
        found.add(stem(lower))
        found.update(
            _numbers(token) if strict else {_normal_number(n) for n in NUMBER.findall(token)}
        )
        if lower in NUMBER_WORDS:
            found.add(NUMBER_WORDS[lower])
    return frozenset(found)


def code_key(code: str) -> str:
    """A code in a form that ignores case, hyphens and dots: "AQ-500" → "aq500"."""
    return re.sub(r"[-.]", "", code.lower())


def code_keys(text: str) -> frozenset[str]:
    """The codes of `text` as `code_key`s: "AQ-500" and the "aq500" of a title "aq500-spec" meet;
    a code's own coded parts count too ("AQ300-STD" holds "aq300")."""
    keys: set[str] = set()
    for match in TOKEN.finditer(text):
        token = match.group().strip("-'\u2019")
        if any(c.isdigit() for c in token) and _is_code(token):
            keys.add(code_key(token))
            parts = token.split("-")
            if len(parts) > 1:
                keys.update(p.lower() for p in parts if _is_code(p) and any(c.isdigit() for c in p))
    return frozenset(keys)


def _is_code(token: str) -> bool:
    """An identifier: "X200", "PM2.5", "AQ-300", "SKU-44"; not "9th" nor "15-minute"."""
    if ORDINAL.match(token):
        return False
    parts = token.split("-")
    mixed = any(any(c.isdigit() for c in part) and any(c.isalpha() for c in part) for part in parts)
    return mixed or any(part.isalpha() and part.isupper() for part in parts)


def _numbers(token: str) -> set[str]:
    """The numbers a token states: "1,200.50", "15" in "15-minute", "9" in "9th"; none in a code
    such as "PM1" or "v2" (its digits are part of a name, not an amount)."""
    if ORDINAL.match(token):
        return {_normal_number(token[:-2])}
    found: set[str] = set()
    for part in token.split("-"):
        if not any(c.isalpha() for c in part):  # "15" of "15-minute", "4.2.0" of a version
            found.update(_normal_number(n) for n in NUMBER.findall(part))
    return found


def _normal_number(raw: str) -> str:
    digits = raw.replace(",", "")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return digits.lstrip("0") or "0"


def _opens_line(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t*_\"'\u201c(")
    return not before or before[-1] in "\n:|"
