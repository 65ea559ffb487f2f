"""Schemathesis fuzzes every operation of the live OpenAPI document, signed in as an admin.

Each operation gets positive and negative cases (bodies, queries and path ids), with random ids
and with ids of real resources of the signed-in organization. Checks: no 5xx, every status is
declared, every body matches its declared schema and content type. Seeded and bounded, so the
run takes about two minutes; `python -m bench.fuzz --examples N` runs the same longer.

Nothing is excluded. The two operations that end the session that calls them (logout,
logout-all) get a token of a newly registered account for every case, so the fuzzing admin keeps
its own; PATCH of a user fuzzes a member's id, never the admin's own, so the run cannot demote
itself (stateful sequences may try, and meet LastAdmin's 409).
"""

from collections.abc import Iterator

import pytest
from httpx import AsyncClient

from archivist.core.config import AuthSettings, Settings
from archivist.main import create_app
from tests.conftest import live_server
from tests.factories.accounts import register_org
from tests.fuzzing import (
    World,
    build_world,
    fuzz_operation,
    fuzz_stateful,
    label,
    load_schema,
    operations,
)
from tests.support import assert_error

EXAMPLES = 20
STATEFUL_SCENARIOS = 30

SCHEMA = load_schema(create_app(Settings(auth=AuthSettings(jwt_secret="x" * 48))).openapi())
OPERATIONS = {label(operation): operation for operation in operations(SCHEMA)}


@pytest.fixture(scope="module")
def world(settings: Settings) -> Iterator[World]:
    # The fuzzer sends thousands of requests a minute, and fails logins on purpose.
    fast = settings.model_copy(
        update={
            "auth": settings.auth.model_copy(
                update={
                    "api_requests_per_minute": 1_000_000,
                    "login_failures_per_ip": 1_000_000,
                    "login_failures_per_email": 1_000_000,
                    "registrations_per_ip": 1_000_000,
                }
            )
        }
    )
    with live_server(fast) as base_url:
        yield build_world(base_url)


def test_every_operation_is_fuzzed() -> None:
    assert len(OPERATIONS) >= 30, sorted(OPERATIONS)


def test_openapi_declares_the_error_answers_of_every_operation() -> None:
    """4xx answers are documented with the `{"error", "detail"}` body the API really sends."""
    document = SCHEMA.raw_schema
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            if operation.get("security"):
                assert {"401", "429"} <= set(responses), where
            if "{" in path:
                assert "404" in responses, where
            if "parameters" in operation or "requestBody" in operation:
                assert "422" in responses, where
            for status, response in responses.items():
                if int(status) >= 400 and path.startswith("/api/"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (where, status)


async def test_body_that_is_not_utf8_json_is_an_invalid_payload(client: AsyncClient) -> None:
    admin = await register_org(client)
    response = await client.post(
        "/api/chat/sessions",
        content=b'{"title": "\xff"}',
        headers={**admin.headers, "Content-Type": "application/json"},
    )
    assert_error(response, 422, "InvalidPayload")


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_operation_survives_fuzzing(world: World, name: str) -> None:
    outcome = fuzz_operation(world, OPERATIONS[name], EXAMPLES, seed=1)
    assert outcome.ok, outcome.failure


def test_linked_sequences_survive_fuzzing(world: World) -> None:
    """Create-then-use sequences along the links schemathesis infers from the document."""
    outcome = fuzz_stateful(world, SCHEMA, scenarios=STATEFUL_SCENARIOS, steps=6)
    assert outcome.ok, outcome.failure
    assert outcome.cases >= STATEFUL_SCENARIOS, outcome


# --- what the fuzzer found, pinned down -----------------------------------------------------------


async def test_search_query_with_a_nul_character_is_an_invalid_payload(
    client: AsyncClient,
) -> None:
    admin = await register_org(client)
    response = await client.post(
        "/api/search", json={"query": "budget\x00report"}, headers=admin.headers
    )
    body = assert_error(response, 422, "InvalidPayload")
    assert "query" in body["detail"]


async def test_database_refusal_inside_the_search_legs_is_an_invalid_payload(
    client: AsyncClient,
) -> None:
    """A value PostgreSQL refuses in one of the concurrent legs (a TaskGroup) is still bad input."""
    admin = await register_org(client)
    response = await client.post(
        "/api/search",
        json={"query": "budget", "filters": {"mime_types": ["text/plain\x00"]}},
        headers=admin.headers,
    )
    assert_error(response, 422, "InvalidPayload")


async def test_chat_question_with_a_nul_character_is_refused_before_streaming(
    client: AsyncClient,
) -> None:
    admin = await register_org(client)
    created = await client.post("/api/chat/sessions", json={}, headers=admin.headers)
    assert created.status_code == 201, created.text
    for stream in (True, False):
        response = await client.post(
            f"/api/chat/sessions/{created.json()['id']}/messages",
            json={"content": "What is in the\x00 budget?", "stream": stream},
            headers=admin.headers,
        )
        assert_error(response, 422, "InvalidPayload")
