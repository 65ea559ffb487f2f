"""Chunking with the embedder's own tokenizer."""

from archivist.embedding.model_files import count_tokens
from archivist.ingestion.chunking import PageText, chunk_document

WINDOW = 256


def tokens_with_specials(text: str) -> int:
    return count_tokens([text])[0] + 2


def sentences(n: int, topic: str = "otter") -> str:
    return " ".join(
        f"Sentence number {i} explains how the {topic} behaves in spring." for i in range(n)
    )


def test_every_chunk_fits_the_window_with_its_title() -> None:
    title = "Field observations of river otters in the northern valleys"
    chunks = chunk_document([PageText(None, sentences(120))], title, count_tokens)
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.embed_text.startswith(title + "\n")
        assert tokens_with_specials(chunk.embed_text) <= WINDOW


def test_chunks_cover_all_text_in_order_with_small_overlap() -> None:
    text = sentences(60)
    chunks = chunk_document([PageText(None, text)], "", count_tokens)
    joined = " ".join(chunk.text for chunk in chunks)
    for i in range(60):
        assert f"Sentence number {i} " in joined
    assert [c.ord for c in chunks] == list(range(len(chunks)))
    first_of_next = chunks[1].text.split(". ")[0]
    assert first_of_next in chunks[0].text, (
        "the next chunk repeats the previous one's last sentence"
    )
    overlap = count_tokens([first_of_next])[0]
    assert overlap <= 32


def test_sentences_are_not_cut_when_they_fit() -> None:
    chunks = chunk_document([PageText(None, sentences(40))], "T", count_tokens)
    for chunk in chunks:
        assert chunk.text.startswith("Sentence number")
        assert chunk.text.endswith("spring.")


def test_paragraph_breaks_are_kept_inside_a_chunk() -> None:
    text = "First paragraph about badgers.\n\nSecond paragraph about foxes."
    (chunk,) = chunk_document([PageText(None, text)], "", count_tokens)
    assert chunk.text == text


def test_chunks_keep_their_page_and_never_span_pages() -> None:
    pages = [PageText(1, sentences(5, "heron")), PageText(2, sentences(5, "stork"))]
    chunks = chunk_document(pages, "Birds", count_tokens)
    assert [c.page for c in chunks] == [1, 2]
    assert "heron" in chunks[0].text and "stork" not in chunks[0].text


def test_an_overlong_sentence_is_split_at_word_boundaries() -> None:
    words = " ".join(f"word{i}" for i in range(1200))  # one "sentence", far over the window
    chunks = chunk_document([PageText(None, words)], "Long", count_tokens)
    assert len(chunks) > 3
    assert all(tokens_with_specials(c.embed_text) <= WINDOW for c in chunks)
    rebuilt = " ".join(c.text for c in chunks).split()
    assert rebuilt[0] == "word0" and rebuilt[-1] == "word1199"
    assert {f"word{i}" for i in range(1200)} <= set(rebuilt)


def test_a_very_long_title_is_shortened_not_allowed_to_eat_the_window() -> None:
    title = " ".join(["extraordinarily"] * 200)
    chunks = chunk_document([PageText(None, "Short body.")], title, count_tokens)
    assert len(chunks) == 1
    assert tokens_with_specials(chunks[0].embed_text) <= WINDOW
    assert chunks[0].text == "Short body."


def test_empty_pages_give_no_chunks() -> None:
    assert chunk_document([PageText(1, "   \n\n "), PageText(2, "")], "Title", count_tokens) == []


def test_length_batches_keep_padding_small_and_cover_every_text() -> None:
    from archivist.embedding.batching import length_batches

    lengths = [250, 40, 248, 45, 120, 252, 41, 118]
    batches = length_batches(lengths, batch_size=3)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 3
        longest, real = max(lengths[i] for i in batch), sum(lengths[i] for i in batch)
        assert longest * len(batch) <= real * 1.15
    assert length_batches([], batch_size=4) == []
