"""The answer bench's data and its judging (bench/answers.py), without a stack."""

import hashlib

from bench import answers

KINDS = {"single", "two-sentence", "table", "pdf", "unanswerable"}


def test_every_required_fact_is_in_a_document_the_question_names() -> None:
    texts = {d.name: d.text for d in answers.corpus()}
    for q in answers.questions():
        assert q.kind in KINDS and q.split in ("tune", "report", "holdout", "holdout2"), q
        assert q.answerable == (q.kind != "unanswerable") == bool(q.facts) == bool(q.documents)
        for fact in q.facts:
            assert any(any(answers.holds(texts[d], s) for s in fact) for d in q.documents), (
                q,
                fact,
            )


def test_the_data_set_is_as_large_as_the_issue_asks() -> None:
    documents = answers.corpus()
    report = answers.questions("report")
    assert len(documents) >= 15 and len(answers.questions("tune")) >= 20 and len(report) >= 40
    assert {d.name.rsplit(".", 1)[1] for d in documents} >= {"pdf", "xlsx", "csv", "docx", "md"}
    assert sum(not q.answerable for q in report) >= 10
    assert sum(q.kind == "two-sentence" for q in report) >= 5
    assert len({q.id for q in answers.questions()}) == len(answers.questions())


def test_binary_documents_are_the_same_bytes_every_time() -> None:
    def digests() -> dict[str, str]:
        paths = sorted((answers.DATA / "documents").iterdir())
        made = [answers._document(path) for path in paths]
        return {d.name: hashlib.sha256(d.content).hexdigest() for d in made}

    assert digests() == digests()


def test_facts_match_across_spellings_but_not_inside_other_numbers() -> None:
    assert answers.holds("The limit is €1,290.00 per unit.", "EUR 1290")
    assert answers.holds("It costs 180 euros a night", "EUR 180")
    assert answers.holds("from \u221220 to 50 °C", "-20")
    assert answers.holds("launch on the 12th of May", "12 May")
    assert not answers.holds("uptime of 99.95%", "99.9%")
    assert not answers.holds("in 2012", "12")
    assert not answers.holds("EUR 1,450", "EUR 145")


def test_claims_are_numbers_and_names_not_sentence_openers() -> None:
    found = answers.claims(
        "Here is what the documents say: Employees get 27 days [1]. Ask Jonas Berglund "
        "about the AQ-700 before 09:30 at 25 °C."
    )
    assert found == ["27", "09:30", "25", "Jonas", "Berglund", "AQ-700"]


def test_unsupported_claims_are_those_no_cited_document_or_the_question_holds() -> None:
    source = "Claims above EUR 2,000 are approved by the Finance Director, Ingrid Solberg."
    answer = "Ingrid Solberg approves claims above €2000 [1], and Karl Smith those above 9,000."
    assert answers.unsupported(answer, "Who approves claims?", [source]) == [
        "9,000",
        "Karl",
        "Smith",
    ]
    assert answers.unsupported(answer, "Is 9000 Karl Smith's limit?", [source]) == []


def test_abstention_is_the_grounding_flag_or_a_clear_phrase() -> None:
    assert answers.abstains("Anything.", "not_found")
    assert answers.abstains("I could not find this in the documents you can see.", None)
    assert answers.abstains("The documents do not mention a dental allowance.", None)
    assert not answers.abstains("Here is what the most relevant documents say: 27 days.", None)


def test_a_right_answer_citing_the_near_miss_document_has_a_wrong_citation() -> None:
    texts = {d.name: d.text for d in answers.corpus()}
    (question,) = answers.questions(ids=["r01"])
    right = answers.Outcome(answer="27 days a year [1].", cited=["leave-policy.md"])
    near_miss = answers.Outcome(answer="27 days a year [1].", cited=["leave-policy-tallinn.txt"])
    verdict = answers.judge(question, right, texts)
    assert verdict.correct and verdict.citation_correct and not verdict.unsupported
    verdict = answers.judge(question, near_miss, texts)
    assert verdict.correct and verdict.citation_correct is False
    assert verdict.unsupported == ["27"]  # the Tallinn policy says 28


def test_a_word_cut_short_at_the_end_of_a_quoted_passage_is_no_claim_of_its_own() -> None:
    sources = ["Operating temperature: -20 to 50 degrees Celsius."]
    assert answers.unsupported("- -20 to 50 degrees Cels [1]\n- next [1]", "q", sources) == []
    assert answers.unsupported("It is 50 degrees Cels [1].", "q", sources) == ["Cels"]
