"""One base-URL rule for both OpenAI-compatible clients."""

import pytest

from archivist.core.openai_api import api_base_url


@pytest.mark.parametrize(
    "given",
    ["https://host", "https://host/", "https://host/v1", "https://host/v1/", " https://host/v1 "],
)
def test_a_host_with_or_without_v1_is_the_api_at_v1(given: str) -> None:
    assert api_base_url(given) == "https://host/v1"


@pytest.mark.parametrize(
    ("given", "root"),
    [
        ("http://ollama:11434", "http://ollama:11434/v1"),
        ("https://example.com/v1beta/openai/", "https://example.com/v1beta/openai"),
        ("https://proxy.internal/llm/v1", "https://proxy.internal/llm/v1"),
    ],
)
def test_an_address_with_a_path_is_the_api_root_as_written(given: str, root: str) -> None:
    assert api_base_url(given) == root
