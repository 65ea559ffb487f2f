"""A slice of the answer bench (bench/answers.py), for real: right facts, no invented ones,
and "not in your documents" when the documents do not say."""

from dataclasses import asdict

import pytest
from httpx import AsyncClient

from bench import answers
from tests.factories.accounts import register_org

pytestmark = pytest.mark.usefixtures("pipeline")

# Near misses side by side: leave in Bergen vs Tallinn, office travel (a PDF) vs field travel.
DOCUMENTS = [
    "leave-policy.md",
    "leave-policy-tallinn.txt",
    "expense-policy.pdf",
    "field-travel-guideline.md",
]
QUESTIONS = [
    "r01",  # annual leave, with Tallinn's figure next to it
    "r10",  # field per diem, with the office per diem next to it
    "r22",  # hotel limit, from the PDF
    "r35",  # two sentences: self-certified sickness, then the doctor's note
    "r37",  # two sentences of the PDF: full-day and partial-day per diem
    "r43",  # unanswerable on the topic: interns' leave
    "r44",  # unanswerable on the topic: dental insurance
    "r53",  # off topic
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
