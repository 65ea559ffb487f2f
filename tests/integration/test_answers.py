"""A slice of the answer bench (bench/answers.py), for real: right facts, no invented ones,
and "not in your documents" when the documents do not say."""

from dataclasses import asdict

import pytest
from httpx import AsyncClient

from bench import answers
from tests.factories.accounts import register_org

pytestmark = pytest.mark.usefixtures("pipeline")

# The slice asks questions of the bench's tuning split, on which the thresholds were set: it
# guards that calibration against regressions. The report and holdout splits' figures come from
# `python -m bench.answers` (docs/answers.md). Near misses sit side by side: leave in Bergen vs
# Tallinn, office travel (a PDF) vs field travel.
DOCUMENTS = [
    "leave-policy.md",
    "leave-policy-tallinn.txt",
    "expense-policy.pdf",
    "field-travel-guideline.md",
    "product-council-2026-03-14.md",
]
QUESTIONS = [
    "t01",  # carried-over leave, with Tallinn's policy next to it
    "t03",  # hotel limit outside capitals, from the PDF, with field travel next to it
    "t04",  # who approves business class, from the PDF
    "t05",  # receipts threshold, from the PDF
    "t18",  # two sentences: AQ-300 trade-in credit, then the AQ-500 volume discount
    "t19",  # unanswerable on the topic: pet insurance
    "t23",  # off topic
    "t24",  # unanswerable on the topic: parking allowance in Porto
]


async def test_answers_without_a_model_are_right_grounded_and_say_when_the_documents_do_not(
    client: AsyncClient,
) -> None:
    # The suite's app answers with no model (provider "extractive"), as an install without the
    # bundled model does; `python -m bench.answers --mode default` measures the bundled model.
    owner = await register_org(client, "Brightwater")
    verdicts = await answers.run(
        client, owner.headers, answers.corpus(DOCUMENTS), answers.questions(ids=QUESTIONS)
    )
    assert len(verdicts) == len(QUESTIONS)
    summary = answers.summarise(verdicts)
    report = answers.markdown(
        {"no model": {"summary": summary, "verdicts": [asdict(v) for v in verdicts]}}
    )
    assert summary["errors"] == 0, report
    assert summary["fact_accuracy"] >= 0.8, report
    assert summary["unsupported_claims"] == 0, report
    assert summary["abstention"] >= 0.9, report
