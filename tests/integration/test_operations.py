"""Health, readiness, metrics, request ids and the error shape for requests the API cannot route."""

import re
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from httpx import ASGITransport, AsyncClient

from archivist.core.config import Settings
from archivist.core.state import AppState
from archivist.main import create_app
from tests.factories.accounts import make_org
from tests.support import assert_error, open_client

SERVICES = {"database", "redis", "object_store", "index"}


@pytest.fixture
async def redis_down(settings: Settings) -> AsyncIterator[AsyncClient]:
    """An app whose Redis does not answer (nothing listens on port 1)."""
    state = AppState.create(settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"}))
    try:
        async with open_client(state) as client:
            yield client
    finally:
        await state.close()


def _assert_health_body(body: dict[str, object]) -> dict[str, str]:
    assert set(body) == {"status", "timestamp", "services"}, body
    datetime.fromisoformat(str(body["timestamp"]))
    services = body["services"]
    assert isinstance(services, dict) and set(services) == SERVICES, body
    return services


async def test_health_reports_every_dependency_ok(http: AsyncClient) -> None:
    http.cookies.clear()
    response = await http.get("/health")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "healthy"
    assert _assert_health_body(body) == dict.fromkeys(SERVICES, "ok")


async def test_ready_is_200_when_every_dependency_answers(http: AsyncClient) -> None:
    http.cookies.clear()
    response = await http.get("/ready")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "healthy"
    _assert_health_body(response.json())


async def test_ready_is_503_and_health_unhealthy_when_redis_is_down(
    redis_down: AsyncClient,
) -> None:
    ready = await redis_down.get("/ready")
    assert ready.status_code == 503, ready.text
    services = _assert_health_body(ready.json())
    assert ready.json()["status"] == "unhealthy"
    assert services["redis"] != "ok"
    assert services["database"] == "ok"
    health = await redis_down.get("/health")
    assert health.status_code == 200, health.text
    assert health.json()["status"] == "unhealthy"
    metrics = await redis_down.get("/metrics")
    assert metrics.status_code == 200, "metrics must answer while Redis is down"


async def test_operations_endpoints_reveal_no_tenant_data(http: AsyncClient) -> None:
    org_name = f"Secret Org {uuid.uuid4().hex[:8]}"
    org = await make_org(http, members=1, name=org_name)
    member = org.members[0]
    chat = await http.post(
        "/api/chat/sessions", json={"title": "confidential"}, headers=member.headers
    )
    assert chat.status_code == 201, chat.text
    await http.get(f"/api/chat/sessions/{chat.json()['id']}", headers=member.headers)
    secrets = {
        org_name,
        org.id,
        org.admin.id,
        org.admin.email,
        member.id,
        member.email,
        chat.json()["id"],
        "confidential",
    }
    http.cookies.clear()
    for path in ("/health", "/ready", "/metrics"):
        response = await http.get(path)
        assert response.status_code == 200, (path, response.text)
        for secret in secrets:
            assert secret not in response.text, (path, secret)
        assert "@example.com" not in response.text, path


async def test_metrics_expose_request_counts_latency_and_active_sessions(http: AsyncClient) -> None:
    await make_org(http, members=0)
    http.cookies.clear()
    response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "# TYPE http_requests_total counter" in text
    assert "# TYPE http_request_duration_seconds histogram" in text
    assert "http_request_duration_seconds_bucket{" in text
    assert "# TYPE active_sessions_total gauge" in text
    active = re.search(r"^active_sessions_total (\S+)$", text, re.MULTILINE)
    assert active is not None and float(active.group(1)) >= 1, "a session was just created"
    assert re.search(
        r'http_requests_total\{method="POST",path="/api/auth/register",status="201"\}', text
    )


async def test_metrics_label_requests_by_route_template_not_raw_ids(http: AsyncClient) -> None:
    org = await make_org(http, members=0)
    chat = await http.post("/api/chat/sessions", json={}, headers=org.admin.headers)
    session_id = chat.json()["id"]
    assert (
        await http.get(f"/api/chat/sessions/{session_id}", headers=org.admin.headers)
    ).status_code == 200
    missing_id = str(uuid.uuid4())
    assert_error(await http.get(f"/api/chat/sessions/{missing_id}", headers=org.admin.headers), 404)
    assert_error(await http.get(f"/api/no/such/path/{missing_id}"), 404)
    text = (await http.get("/metrics")).text
    assert 'path="/api/chat/sessions/{session_id}"' in text
    assert re.search(
        r'http_requests_total\{method="GET",path="/api/chat/sessions/\{session_id\}",status="404"\}',
        text,
    )
    for raw in (session_id, missing_id, org.admin.id):
        assert raw not in text, raw


async def test_every_response_carries_a_request_id(http: AsyncClient) -> None:
    org = await make_org(http, members=0)
    http.cookies.clear()
    responses = [
        await http.get("/health"),
        await http.get("/metrics"),
        await http.get("/api/me", headers=org.admin.headers),
        await http.get("/api/me"),
        await http.get("/api/organization/users", headers={"Authorization": "Bearer nope"}),
        await http.get("/no/such/path"),
        await http.put("/api/me", headers=org.admin.headers),
        await http.post(
            "/api/auth/login", content=b"{", headers={"Content-Type": "application/json"}
        ),
        await http.post("/api/auth/logout", headers=org.admin.headers),
    ]
    seen = set()
    for response in responses:
        request_id = response.headers.get("X-Request-ID")
        assert request_id, (response.request.url.path, response.status_code)
        seen.add(request_id)
    assert len(seen) == len(responses), "each request gets its own id"


async def test_unexpected_error_is_500_in_the_error_shape_with_a_request_id(
    app_state: AppState,
) -> None:
    app = create_app(app_state.settings)
    app.state.archivist = app_state

    @app.get("/test-only/boom")
    async def boom() -> None:
        raise RuntimeError("simulated bug")

    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/test-only/boom")
    body = assert_error(response, 500, "InternalError")
    assert "simulated bug" not in body["detail"], "internals must not leak into the answer"
    assert response.headers.get("X-Request-ID"), response.headers


async def test_request_id_sent_by_the_caller_is_echoed_back(http: AsyncClient) -> None:
    request_id = f"trace-{uuid.uuid4().hex}"
    response = await http.get("/health", headers={"X-Request-ID": request_id})
    assert response.headers["X-Request-ID"] == request_id


async def test_unknown_path_is_404_in_the_error_shape(http: AsyncClient) -> None:
    assert_error(await http.get("/api/no-such-thing"), 404)
    assert_error(await http.post("/api/no-such-thing", json={}), 404)


async def test_wrong_method_is_405_in_the_error_shape(http: AsyncClient) -> None:
    assert_error(await http.delete("/health"), 405)


async def test_invalid_json_body_is_422_in_the_error_shape(http: AsyncClient) -> None:
    org = await make_org(http, members=0)
    json_header = {"Content-Type": "application/json"}
    for body in (b"{not json", b"", b"[1, 2", b'{"email": "a@b.c", "password": }'):
        login = await http.post("/api/auth/login", content=body, headers=json_header)
        assert_error(login, 422, "InvalidPayload")
    chat = await http.post(
        "/api/chat/sessions", content=b"{title:", headers={**json_header, **org.admin.headers}
    )
    assert_error(chat, 422, "InvalidPayload")


async def test_malformed_input_is_rejected_with_4xx_never_500(http: AsyncClient) -> None:
    org = await make_org(http, members=1)
    admin = org.admin.headers
    probes = [
        (
            "POST",
            "/api/auth/register",
            {"email": "a@b.c", "password": 12, "organization_name": "x"},
            {},
        ),
        ("POST", "/api/auth/register", ["not", "an", "object"], {}),
        ("POST", "/api/auth/login", {"email": None, "password": None}, {}),
        ("POST", "/api/auth/login", {"email": "nul\u0000@example.com", "password": "x" * 12}, {}),
        (
            "POST",
            "/api/auth/register",
            {"email": "nul@example.com", "password": "x" * 12, "organization_name": "a\u0000b"},
            {},
        ),
        ("POST", "/api/chat/sessions", {"title": "x" * 201}, admin),
        ("POST", "/api/chat/sessions", {"title": "nul\u0000byte"}, admin),
        ("PATCH", f"/api/chat/sessions/{uuid.uuid4()}", {"title": ""}, admin),
        ("GET", "/api/chat/sessions/not-a-uuid", None, admin),
        ("GET", "/api/chat/sessions?limit=0", None, admin),
        ("GET", "/api/chat/sessions?limit=201", None, admin),
        ("GET", "/api/chat/sessions?cursor=garbage", None, admin),
        # base64 of ["2024-01-01T00:00:00", 5]: decodes, but is not a cursor this API made
        ("GET", "/api/chat/sessions?cursor=WyIyMDI0LTAxLTAxVDAwOjAwOjAwIiwgNV0", None, admin),
        ("POST", "/api/groups", {"name": "nul\u0000group"}, admin),
        ("POST", "/api/groups", {"name": ""}, admin),
        ("POST", "/api/api-keys", {"name": "nul\u0000key"}, admin),
        ("POST", "/api/organization/invites", {"role": "owner"}, admin),
        ("PATCH", f"/api/organization/users/{org.members[0].id}", {"role": "root"}, admin),
        ("PATCH", "/api/organization/users/123", {"role": "admin"}, admin),
        ("POST", f"/api/groups/{uuid.uuid4()}/members", {"user_id": "nope"}, admin),
        ("DELETE", "/api/api-keys/not-a-uuid", None, admin),
    ]
    for method, path, body, headers in probes:
        response = await http.request(method, path, json=body, headers=headers)
        assert_error(response, 422)
