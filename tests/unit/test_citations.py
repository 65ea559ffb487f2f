"""Citation markers: repaired when invented, attributed when missing."""

from archivist.chat.citations import Source, attribute, cited_numbers, repair_markers
from archivist.embedding.local import LocalEmbedder


def source(n: int, text: str) -> Source:
    return Source(n, f"doc-{n}", f"chunk-{n}", f"Title {n}", text[:50], None, text)


def test_markers_for_missing_sources_are_dropped_and_lists_split() -> None:
    text = "Otters sleep holding hands [1]. They eat clams [2, 9]. Nonsense [12]."
    repaired = repair_markers(text, {1, 2})
    assert repaired == "Otters sleep holding hands [1]. They eat clams [2]. Nonsense."
    assert cited_numbers(repaired) == [1, 2]


def test_sentences_are_attributed_to_the_passage_that_supports_them() -> None:
    sources = [
        source(1, "The Eiffel Tower in Paris was completed in 1889 for the World's Fair."),
        source(2, "Penguins live mostly in the Southern Hemisphere, especially Antarctica."),
    ]
    answer = (
        "The Eiffel Tower was finished in 1889 for a World's Fair. "
        "Most penguins are found in the Southern Hemisphere. "
        "I hope this helps you a lot today!"
    )
    cited = attribute(answer, sources, LocalEmbedder(), threshold=0.55)
    assert "1889 for a World's Fair [1]." in cited
    assert "Southern Hemisphere [2]." in cited
    assert cited.endswith("helps you a lot today!"), "an unsupported sentence gets no marker"
