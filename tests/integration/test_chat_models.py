"""Chat with real models: the bundled offline one, and llama.cpp's OpenAI-compatible server."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from archivist.core.config import LLMSettings, Settings
from archivist.core.state import AppState
from archivist.llm import local
from tests.factories.accounts import register_org
from tests.factories.documents import upload_indexed
from tests.llama_server import llama_server
from tests.support import open_client

pytestmark = [
    pytest.mark.usefixtures("pipeline"),
    pytest.mark.skipif(not local.available(), reason="llama-cpp-python or the model is missing"),
]
FACT = b"The Zephyr project launches on the ninth of May from hangar seven."


async def converse(settings: Settings) -> list[tuple[str, Any]]:
    state = AppState.create(settings)
    events: list[tuple[str, Any]] = []
    try:
        async with open_client(state) as client:
            owner = await register_org(client, "Model Co")
            await upload_indexed(client, owner, "zephyr.txt", FACT)
            session = await client.post("/api/chat/sessions", json={}, headers=owner.headers)
            response = await client.post(
                f"/api/chat/sessions/{session.json()['id']}/messages",
                json={"content": "When does the Zephyr project launch?"},
                headers=owner.headers,
                timeout=300,
            )
            assert response.status_code == 200, response.text
            name = ""
            for line in response.text.splitlines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    events.append((name, json.loads(line[6:])))
            stored = await client.get(
                f"/api/chat/sessions/{session.json()['id']}", headers=owner.headers
            )
            assert stored.json()["messages"][-1]["content"] == events[-1][1]["content"]
    finally:
        await state.close()
    return events


def assert_answered(events: list[tuple[str, Any]]) -> None:
    names = [name for name, _ in events]
    assert names[0] == "sources" and names[-1] == "done", names
    assert "delta" in names
    message = events[-1][1]
    assert message["content"].strip()
    cited = {c["n"] for c in message["citations"]}
    for n in range(1, 10):
        assert (f"[{n}]" in message["content"]) == (n in cited), message
    # Whatever the model wrote, what is left is supported by the source it cites.
    assert message["grounding"] in ("grounded", "partial", "extractive"), message
    assert message["sentences"] and all(s["supported"] for s in message["sentences"])
    assert "May" in message["content"], message["content"]
    assert message["citations"][0]["title"] == "zephyr"


async def test_with_no_configuration_the_answer_quotes_the_source(settings: Settings) -> None:
    events = await converse(settings.model_copy(update={"llm": LLMSettings(provider="auto")}))
    assert_answered(events)
    assert events[-1][1]["grounding"] == "extractive"
    assert events[-1][1]["content"] == f"“{FACT.decode()}” [1]"


async def test_the_bundled_model_answers_when_asked_and_passes_the_check(
    settings: Settings,
) -> None:
    events = await converse(settings.model_copy(update={"llm": LLMSettings(provider="local")}))
    assert_answered(events)
    assert events[0][1][0]["title"] == "zephyr"


@pytest.fixture(scope="module")
def llama() -> Iterator[str]:
    with llama_server() as base:
        yield base


async def test_openai_compatible_path_against_a_real_llama_cpp_server(
    settings: Settings, llama: str
) -> None:
    configured = LLMSettings(base_url=f"{llama}/v1", model="smollm2", timeout_seconds=120)
    events = await converse(settings.model_copy(update={"llm": configured}))
    assert_answered(events)
