"""Chat over real retrieval: SSE order, stored messages and citations, failures, disconnects."""

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from archivist.core.config import LLMSettings, Settings
from archivist.core.metrics import registry
from tests.conftest import live_server
from tests.factories.accounts import Account, make_org, register_org
from tests.factories.documents import upload_indexed
from tests.fake_llm import FAILURE_SECRET, Behaviour, fake_llm_server
from tests.support import assert_error

pytestmark = pytest.mark.usefixtures("pipeline")
Events = list[tuple[str, Any]]


async def ask(client: httpx.AsyncClient, account: Account, session_id: str, content: str) -> Events:
    events: Events = []
    name = ""
    async with client.stream(
        "POST",
        f"/api/chat/sessions/{session_id}/messages",
        json={"content": content},
        headers=account.headers,
        timeout=120,
    ) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[len("data: ") :])))
    return events


async def new_session(client: httpx.AsyncClient, account: Account) -> str:
    response = await client.post("/api/chat/sessions", json={}, headers=account.headers)
    assert response.status_code == 201
    return str(response.json()["id"])


@pytest.fixture(scope="module")
def llm() -> Iterator[tuple[str, Behaviour]]:
    with fake_llm_server() as server:
        yield server


@pytest.fixture(scope="module")
def live(settings: Settings, llm: tuple[str, Behaviour]) -> Iterator[str]:
    """The app on a real port, answering with an OpenAI-compatible model server."""
    url, _ = llm
    configured = settings.model_copy(
        update={"llm": LLMSettings(base_url=url, model="fake", timeout_seconds=2, retries=1)}
    )
    with live_server(configured) as base:
        yield base


@pytest.fixture
def behaviour(llm: tuple[str, Behaviour]) -> Behaviour:
    llm[1].mode, llm[1].delay = "ok", 0.0
    llm[1].requests.clear()
    llm[1].refused = 0
    return llm[1]


async def test_answer_streams_sources_then_deltas_then_the_stored_cited_message(
    live: str, behaviour: Behaviour
) -> None:
    async with httpx.AsyncClient(base_url=live) as client:
        owner = await register_org(client, "Chatty")
        document = await upload_indexed(
            client, owner, "tides.txt", b"The lighthouse keeper rings the bell at high tide."
        )
        session_id = await new_session(client, owner)
        started = time.perf_counter()
        events = await ask(client, owner, session_id, "When does the keeper ring the bell?")
        names = [name for name, _ in events]
        assert names[0] == "sources" and names[-1] == "done"
        assert set(names[1:-1]) == {"delta"} and len(names) >= 3
        sources = events[0][1]
        assert sources[0]["n"] == 1 and sources[0]["document_id"] == document["id"]
        message = events[-1][1]
        streamed = "".join(data["text"] for name, data in events if name == "delta")
        assert "lighthouse keeper" in message["content"]
        assert message["content"] == streamed.strip() or "[1]" in message["content"]
        assert [c["n"] for c in message["citations"]] == [1]
        assert message["citations"][0]["chunk_id"] == sources[0]["chunk_id"]
        assert time.perf_counter() - started < 30

        stored = (
            await client.get(f"/api/chat/sessions/{session_id}", headers=owner.headers)
        ).json()
        assert [m["role"] for m in stored["messages"]] == ["user", "assistant"]
        assert stored["messages"][1]["content"] == message["content"]
        assert stored["messages"][1]["citations"] == message["citations"]
        assert stored["title"].startswith("When does the keeper")


async def test_invented_citation_markers_are_removed(live: str, behaviour: Behaviour) -> None:
    behaviour.mode = "invent"  # the model cites [7] with only one source
    async with httpx.AsyncClient(base_url=live) as client:
        owner = await register_org(client, "Inventive")
        await upload_indexed(client, owner, "m.txt", b"Marmots hibernate for six months a year.")
        session_id = await new_session(client, owner)
        events = await ask(client, owner, session_id, "How long do marmots hibernate?")
        message = events[-1][1]
        assert "[7]" not in message["content"]
        numbers = {c["n"] for c in message["citations"]}
        for n in range(1, 10):
            assert (f"[{n}]" in message["content"]) == (n in numbers)


async def test_a_sentence_no_source_supports_never_reaches_the_reader(
    live: str, behaviour: Behaviour
) -> None:
    behaviour.mode = "embellish"  # a supported sentence, then an invented date and place
    async with httpx.AsyncClient(base_url=live) as client:
        owner = await register_org(client, "Strict")
        source = b"The harbour crane lifts forty tonnes at most. It was painted blue."
        await upload_indexed(client, owner, "crane.txt", source)
        session_id = await new_session(client, owner)
        events = await ask(client, owner, session_id, "How much can the harbour crane lift?")
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    message = events[-1][1]
    assert "2031" not in streamed and "Oslo" not in streamed
    assert message["content"] == streamed
    assert "forty tonnes" in message["content"] and "2031" not in message["content"]
    assert message["grounding"] == "partial"
    [sentence] = message["sentences"]
    assert sentence["supported"] and sentence["citation"] == 1
    assert message["content"][sentence["start"] : sentence["end"]].endswith("[1].")
    [citation] = message["citations"]
    passage = citation["passage"]
    assert passage == events[0][1][0]["passage"]
    assert citation["quote"] == "The harbour crane lifts forty tonnes at most."
    assert passage[citation["quote_start"] : citation["quote_end"]] == citation["quote"]
    assert (sentence["quote_start"], sentence["quote_end"]) == (
        citation["quote_start"],
        citation["quote_end"],
    )


async def test_an_answer_with_nothing_supported_quotes_the_sources_instead(
    live: str, behaviour: Behaviour
) -> None:
    behaviour.mode = "fabricate"
    async with httpx.AsyncClient(base_url=live) as client:
        owner = await register_org(client, "Fabulist")
        await upload_indexed(client, owner, "g.txt", b"The greenhouse opens at seven each morning.")
        session_id = await new_session(client, owner)
        events = await ask(client, owner, session_id, "When does the greenhouse open?")
        message = events[-1][1]
        assert message["grounding"] == "extractive"
        assert message["content"] == "“The greenhouse opens at seven each morning.” [1]"
        assert "2031" not in "".join(d["text"] for n, d in events if n == "delta")
        stored = (
            await client.get(f"/api/chat/sessions/{session_id}", headers=owner.headers)
        ).json()["messages"][-1]
        assert stored == message


async def test_a_question_the_documents_cannot_answer_gets_not_found_without_the_model(
    live: str, behaviour: Behaviour
) -> None:
    async with httpx.AsyncClient(base_url=live) as client:
        owner = await register_org(client, "Honest")
        await upload_indexed(client, owner, "b.txt", b"The bakery sells rye bread on Tuesdays.")
        session_id = await new_session(client, owner)
        events = await ask(client, owner, session_id, "What is the capital city of Peru?")
    message = events[-1][1]
    assert message["grounding"] == "not_found"
    assert message["content"] == "Your documents do not answer this question."
    assert message["citations"] == [] and message["sentences"] == []
    assert behaviour.requests == []  # no model was asked, so none could invent


@pytest.fixture(scope="module")
def live_flagging(settings: Settings, llm: tuple[str, Behaviour]) -> Iterator[str]:
    url, _ = llm
    configured = settings.model_copy(
        update={
            "llm": LLMSettings(base_url=url, model="fake", timeout_seconds=2, retries=1),
            "chat": settings.chat.model_copy(update={"grounding": "flag"}),
        }
    )
    with live_server(configured) as base:
        yield base


async def test_flag_mode_keeps_unsupported_sentences_marked_and_uncited(
    live_flagging: str, behaviour: Behaviour
) -> None:
    behaviour.mode = "embellish"
    async with httpx.AsyncClient(base_url=live_flagging) as client:
        owner = await register_org(client, "Flagger")
        await upload_indexed(client, owner, "k.txt", b"The kiln fires pottery at 1200 degrees.")
        session_id = await new_session(client, owner)
        events = await ask(client, owner, session_id, "How hot does the kiln fire pottery?")
    deltas = [data for name, data in events if name == "delta"]
    assert [d["supported"] for d in deltas] == [True, False]
    message = events[-1][1]
    assert message["grounding"] == "partial"
    supported, flagged = message["sentences"]
    assert supported["supported"] and supported["citation"] == 1
    assert not flagged["supported"] and flagged["citation"] is None
    unsupported_text = message["content"][flagged["start"] : flagged["end"]]
    assert "2031" in unsupported_text and "[1]" not in unsupported_text


async def test_chat_sources_never_include_what_the_user_may_not_see(
    client: httpx.AsyncClient,
) -> None:
    org = await make_org(client, members=2, name="Secretive")
    other = await make_org(client, members=0, name="Outsiders")
    owner, colleague = org.members
    secret = await upload_indexed(
        client, owner, "plan.txt", b"The xylophonist merger closes in March."
    )
    for account in (colleague, other.admin):
        session_id = await new_session(client, account)
        events = await ask(client, account, session_id, "When does the xylophonist merger close?")
        assert events[0][0] == "sources"
        assert secret["id"] not in [s["document_id"] for s in events[0][1]]
        message = events[-1][1]
        assert secret["id"] not in [c["document_id"] for c in message["citations"]]
        assert "March" not in message["content"]
    own_session = await new_session(client, owner)
    own = await ask(client, owner, own_session, "When does the xylophonist merger close?")
    assert secret["id"] in [s["document_id"] for s in own[0][1]]


async def test_extractive_answers_cite_their_passages(client: httpx.AsyncClient) -> None:
    owner = (await make_org(client, members=0, name="Extractive")).admin
    await upload_indexed(client, owner, "p.txt", b"Pelicans dive from twenty metres to catch fish.")
    session_id = await new_session(client, owner)
    events = await ask(client, owner, session_id, "How do pelicans catch fish?")
    message = events[-1][1]
    assert "Pelicans dive" in message["content"] and "[1]" in message["content"]
    assert [c["n"] for c in message["citations"]] == [1]


async def test_provider_timeout_gives_an_error_event_and_a_usable_session(
    live: str, behaviour: Behaviour
) -> None:
    async with httpx.AsyncClient(base_url=live) as client:
        owner = await register_org(client, "Patient")
        await upload_indexed(client, owner, "s.txt", b"Snails sleep for three years.")
        session_id = await new_session(client, owner)
        behaviour.mode = "hang"
        events = await ask(client, owner, session_id, "How long do snails sleep?")
        assert events[0][0] == "sources"
        assert events[-1] == ("error", {"error": "LLMTimeout", "detail": events[-1][1]["detail"]})
        behaviour.mode = "ok"
        events = await ask(client, owner, session_id, "How long do snails sleep?")
        assert events[-1][0] == "done"
        stored = (
            await client.get(f"/api/chat/sessions/{session_id}", headers=owner.headers)
        ).json()
        assert [m["role"] for m in stored["messages"]] == ["user", "user", "assistant"]


async def test_broken_stream_is_an_error_and_rate_limits_are_retried(
    live: str, behaviour: Behaviour
) -> None:
    async with httpx.AsyncClient(base_url=live) as client:
        owner = await register_org(client, "Flaky")
        await upload_indexed(client, owner, "f.txt", b"Ferns grow in the shade of oaks.")
        session_id = await new_session(client, owner)
        behaviour.mode = "break"
        events = await ask(client, owner, session_id, "Where do ferns grow?")
        assert events[-1][0] == "error" and events[-1][1]["error"] == "LLMUnavailable"
        behaviour.mode = "refuse-once"
        events = await ask(client, owner, session_id, "Where do ferns grow?")
        assert events[-1][0] == "done"
        assert behaviour.refused == 1


async def test_upstream_error_bodies_are_logged_but_never_shown_to_the_user(
    live: str, behaviour: Behaviour, caplog: pytest.LogCaptureFixture
) -> None:
    async with httpx.AsyncClient(base_url=live) as client:
        owner = await register_org(client, "Leaky")
        await upload_indexed(client, owner, "l.txt", b"Larches drop their needles in autumn.")
        session_id = await new_session(client, owner)
        behaviour.mode = "fail"
        with caplog.at_level("WARNING", logger="archivist.llm"):
            events = await ask(client, owner, session_id, "What do larches drop?")
            plain = await client.post(
                f"/api/chat/sessions/{session_id}/messages",
                json={"content": "What do larches drop?", "stream": False},
                headers=owner.headers,
                timeout=60,
            )
    name, error = events[-1]
    assert name == "error" and error["error"] == "LLMUnavailable"
    assert "language model endpoint failed (HTTP 500)" in error["detail"]
    body = assert_error(plain, 503, "ServiceUnavailable")
    for shown in (json.dumps(events), json.dumps(body)):
        assert "sk-upstream" not in shown and "merger" not in shown
    assert FAILURE_SECRET in caplog.text  # the operator can still see what went wrong


async def test_disconnect_mid_stream_leaves_a_consistent_session(
    live: str, behaviour: Behaviour
) -> None:
    behaviour.mode, behaviour.delay = "slow", 0.3
    async with httpx.AsyncClient(base_url=live) as client:
        owner = await register_org(client, "Impatient")
        await upload_indexed(client, owner, "o.txt", b"Owls hunt at night using their hearing.")
        session_id = await new_session(client, owner)
        async with client.stream(
            "POST",
            f"/api/chat/sessions/{session_id}/messages",
            json={"content": "How do owls hunt?"},
            headers=owner.headers,
        ) as response:
            async for line in response.aiter_lines():
                if line.startswith("event: delta"):
                    break  # the reader walks away after the first words
        behaviour.mode = "ok"
        await asyncio.sleep(1.5)
        stored = (
            await client.get(f"/api/chat/sessions/{session_id}", headers=owner.headers)
        ).json()
        roles = [m["role"] for m in stored["messages"]]
        assert roles in (["user"], ["user", "assistant"]), roles
        if roles == ["user", "assistant"]:
            assert stored["messages"][1]["content"].endswith("…")
        events = await ask(client, owner, session_id, "How do owls hunt?")
        assert events[-1][0] == "done"


async def test_a_streamed_answer_is_timed_until_its_last_event(
    live: str, behaviour: Behaviour
) -> None:
    behaviour.mode, behaviour.delay = "slow", 0.1
    labels = {"method": "POST", "path": "/api/chat/sessions/{session_id}/messages"}

    def timed() -> float:
        return registry.get_sample_value("http_request_duration_seconds_sum", labels) or 0.0

    async with httpx.AsyncClient(base_url=live) as client:
        owner = await register_org(client, "Timed")
        await upload_indexed(client, owner, "t.txt", b"Tortoises live for over a century.")
        session_id = await new_session(client, owner)
        before, started = timed(), time.perf_counter()
        events = await ask(client, owner, session_id, "How long do tortoises live?")
        streamed_for = time.perf_counter() - started
    assert events[-1][0] == "done" and streamed_for > 0.8
    await asyncio.sleep(0.2)  # the server records once the last byte is out
    assert timed() - before >= streamed_for * 0.8


async def test_stream_false_returns_the_message_and_unknown_session_is_404(
    client: httpx.AsyncClient,
) -> None:
    owner = (await make_org(client, members=0, name="Plain")).admin
    session_id = await new_session(client, owner)
    response = await client.post(
        f"/api/chat/sessions/{session_id}/messages",
        json={"content": "Anything?", "stream": False},
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "assistant"
    other = (await make_org(client, members=0, name="Nosy")).admin
    denied = await client.post(
        f"/api/chat/sessions/{session_id}/messages", json={"content": "x"}, headers=other.headers
    )
    assert_error(denied, 404)
