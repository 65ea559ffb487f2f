"""The grounding check: sentences, claims, verdicts, and the answer the reader is shown."""

import pytest

from archivist.chat.citations import Source
from archivist.chat.extractive import answerable, rank, select
from archivist.chat.grounding import Checker
from archivist.chat.text import claims, sentence_spans
from archivist.chat.writer import Writer
from archivist.embedding.local import LocalEmbedder

MEMO = (
    "Project update for the board. The Falcon launch date is 14 March. The budget is "
    "40,000 euros and Anna Berg approves all spending. Contractors are not eligible for the "
    "launch bonus. Status reports go out every 60 minutes. The board meets again in 3 weeks."
)
BERGEN = "Staff in Bergen get 25 days of annual leave. Up to 5 unused days carry over."
SPEC = "The X200 router weighs 1.5 kg. It ships with a two-year warranty. It filters PM1 dust."


def source(n: int, title: str, text: str) -> Source:
    return Source(n, f"doc-{n}", f"chunk-{n}", title, text[:40], None, text)


@pytest.fixture
def checker() -> Checker:
    return Checker("When does Falcon launch?", [source(1, "Memo", MEMO), source(2, "Spec", SPEC)])


def test_sentences_keep_decimals_abbreviations_markers_and_list_items_whole() -> None:
    text = "It costs $1,200.50 e.g. per unit [2]. Ask Dr. Berg.\n- Staff get ten days [1]\n1. Last"
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "It costs $1,200.50 e.g. per unit [2].",
        "Ask Dr. Berg.",
        "Staff get ten days [1]",
        "Last",
    ]


def test_claims_normalise_numbers_and_find_names_and_codes() -> None:
    said = claims("The X200 costs 1,200.00 euros from the ninth of May in Tallinn.")
    assert said.numbers == {"1200", "9"}
    assert said.codes == {"x200"} and said.names == {"may", "tallinn"}


@pytest.mark.parametrize(
    "sentence",
    [
        "The Falcon launch is on March 9, 2024 [1].",  # the screenshot's kind of invention
        "The budget is 45,000 euros [1].",
        "Anna Berg does not approve spending [1].",  # negation flipped
        "Contractors are eligible for the launch bonus [1].",
        "Peter Lund approves all spending [1].",  # a name the source never mentions
        "The Falcon launch date is 3 March [1].",  # a figure from another sentence
        "The router filters 1% of the dust [2].",  # the 1 of a code ("PM1") is no amount
        "The board meets again in 60 minutes [1].",  # the next sentence's figure
        "I hope this helps!",
    ],
)
def test_unsupported_sentences_are_refused(checker: Checker, sentence: str) -> None:
    assert not checker.check(sentence).supported


def test_a_supported_sentence_gets_its_source_and_the_quoted_span(checker: Checker) -> None:
    verdict = checker.check("According to the memo, Falcon launches on 14 March [1].")
    assert verdict.supported and verdict.citation == 1 and verdict.quote
    assert MEMO[verdict.quote[0] : verdict.quote[1]] == "The Falcon launch date is 14 March."


def test_a_wrong_marker_is_corrected_to_the_source_that_supports_the_sentence(
    checker: Checker,
) -> None:
    verdict = checker.check("The X200 weighs 1.5 kg [1].")
    assert verdict.citation == 2 and verdict.quote
    assert SPEC[verdict.quote[0] : verdict.quote[1]] == "The X200 router weighs 1.5 kg."


def test_strict_drops_what_flag_marks_and_off_passes_through(checker: Checker) -> None:
    answer = ["The Falcon launch ", "date is 14 March [1]. It moved to", " 9 April. Done"]
    results = {}
    for mode in ("strict", "flag", "off"):
        writer = Writer(checker, mode)  # type: ignore[arg-type]
        shown = [piece for chunk in answer for piece in writer.feed(chunk)] + writer.finish()
        results[mode] = (writer, shown)
    strict, shown = results["strict"]
    assert strict.content == "The Falcon launch date is 14 March [1]." and strict.dropped == 2
    assert shown == [("The Falcon launch date is 14 March [1].", True)]
    flag, shown = results["flag"]
    assert flag.content == "The Falcon launch date is 14 March [1]. It moved to 9 April. Done"
    assert [s.supported for s in flag.sentences] == [True, False, False]
    assert [piece for piece, _ in shown] == [
        "The Falcon launch date is 14 March [1].",
        " It moved to 9 April.",
        " Done",
    ]
    off, _ = results["off"]
    assert off.content == "".join(answer) and off.sentences == []


def test_sentence_selection_answers_from_the_right_document_and_adds_a_second_fact() -> None:
    sources = [
        source(1, "Leave in Tallinn", "Staff in Tallinn get 28 days of annual leave."),
        source(2, "Leave in Bergen", BERGEN),
    ]
    ranked = rank("How many days of leave do Bergen staff get?", sources, LocalEmbedder())
    chosen = select("How many days of leave do Bergen staff get?", ranked)
    assert chosen[0].text == "Staff in Bergen get 25 days of annual leave."
    assert chosen[0].score > ranked[-1].score
    unrelated = rank("What is the capital of Peru?", sources, LocalEmbedder())
    assert unrelated[0].score < chosen[0].score - 0.3


def test_a_question_naming_what_no_source_mentions_is_not_answerable() -> None:
    sources = [source(1, "Prices", "The AQ-300 sensor costs EUR 890. The AQ-500 costs EUR 1,290.")]
    embedder = LocalEmbedder()
    for question, expected in [
        ("What does the AQ-300 sensor cost?", True),
        ("What does the AQ-200 sensor cost?", False),  # a model no document mentions
        ("What does the sensor cost in Lisbon?", False),  # a place no document mentions
        ("Who won the football world cup in 1998?", False),  # nothing close at all
    ]:
        ranked = rank(question, sources, embedder)
        assert answerable(question, ranked, 0.77, embedder) is expected, question


SPECS = [
    source(
        1,
        "aq500-spec",
        "Battery: typical battery life of 24 months at a 15-minute interval. Warranty: 5 years. "
        "An Ethernet variant, AQ-500E, is planned for 2027. NO2 range: 0 to 5 ppm.",
    ),
    source(2, "aq300-datasheet", "PM2.5 accuracy: plus or minus 10%. Warranty: 2 years."),
    source(
        3,
        "Leave policy",
        "Employees of the Tallinn office receive 28 calendar days of annual leave per year. "
        "Brightwater ended the first quarter with 142 employees.",
    ),
    source(4, "Board minutes", "The board set the 2026 company bonus pool at 6% of EBITDA."),
]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is the battery life of the AQ-500?", True),  # the title names the model
        ("What is the battery life of the AQ-500E?", False),  # a variant the spec only mentions
        ("What is the PM2.5 accuracy of the AQ-300?", True),
        ("What is the PM2.5 accuracy of the AQ-500?", False),  # the AQ-300's accuracy
        ("How many days of annual leave do Tallinn employees get?", True),
        ("How many days of study leave do Tallinn employees get?", False),  # another leave
        ("How many employees did Brightwater have in the second quarter?", False),
        ("What is the street address of the Tallinn office?", False),  # not what is asked
        ("What is the NO2 range of the AQ-500?", True),
        ("What is the NO2 measurement accuracy of the AQ-500?", False),
        ("What share of EBITDA is the 2026 bonus pool?", True),
        ("What EBITDA target did the board set for 2026?", False),
    ],
)
def test_an_answer_about_the_same_things_but_not_what_is_asked_is_not_given(
    question: str, expected: bool
) -> None:
    embedder = LocalEmbedder()
    ranked = rank(question, SPECS, embedder)
    assert answerable(question, ranked, 0.77, embedder) is expected
    if expected:
        assert "AQ-300" not in question or ranked[0].source.title == "aq300-datasheet"


def test_a_question_naming_a_code_is_answered_only_from_passages_naming_it() -> None:
    ranked = rank("What is the warranty on the SP-5 solar panel?", SPECS, LocalEmbedder())
    assert ranked == []  # the specs' warranties are the AQ-500's and the AQ-300's


PRICE_ROWS = source(
    5,
    "price-list",
    "SKU: SP5; Product: SP-5 Solar Panel 5 W; List price (EUR): 175; Unit: each; "
    "Lead time (weeks): 2\n\nSKU: AQ500-STD; Product: AQ-500 Monitor; List price (EUR): 1290; "
    "Unit: each; Lead time (weeks): 6",
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is the lead time of the AQ-500?", True),  # a header of the row
        ("What does the SP-5 solar panel cost?", True),  # a cost is the list price
        ("How much does the SP-5 solar panel weigh?", False),  # no such column
        ("What is the warranty on the SP-5 solar panel?", False),
    ],
)
def test_a_spreadsheet_row_answers_only_what_its_headers_name(
    question: str, expected: bool
) -> None:
    embedder = LocalEmbedder()
    ranked = rank(question, [PRICE_ROWS], embedder)
    assert answerable(question, ranked, 0.77, embedder) is expected
    if expected:
        assert select(question, ranked)[0].text.startswith("SKU: ")
