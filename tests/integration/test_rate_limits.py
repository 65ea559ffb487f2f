"""Throttling of failed sign-ins (per email, per client IP) and of API requests per user."""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient, Response

from archivist.core.config import Settings
from archivist.core.state import AppState
from tests.factories.accounts import PASSWORD, register_org, unique_email
from tests.support import assert_error, open_client

API_LIMIT = 5


@pytest.fixture
async def http(app_state: AppState) -> AsyncIterator[AsyncClient]:
    async with open_client(app_state) as client:
        yield client


@pytest.fixture
async def limited(settings: Settings) -> AsyncIterator[AsyncClient]:
    """An app whose per-user API limit is API_LIMIT requests a minute, with its own AppState."""
    auth = settings.auth.model_copy(update={"api_requests_per_minute": API_LIMIT})
    state = AppState.create(settings.model_copy(update={"auth": auth}))
    try:
        async with open_client(state) as client:
            yield client
    finally:
        await state.close()


def _retry_after(response: Response, at_most: int) -> int:
    assert_error(response, 429)
    value = response.headers.get("Retry-After")
    assert value is not None and value.isdigit(), response.headers
    seconds = int(value)
    assert 0 < seconds <= at_most, seconds
    return seconds


async def _fail_login(http: AsyncClient, email: str) -> Response:
    return await http.post("/api/auth/login", json={"email": email, "password": "wrong password!"})


async def test_eleventh_failed_login_for_one_email_is_throttled(
    http: AsyncClient, settings: Settings
) -> None:
    account = await register_org(http)
    limit = settings.auth.login_failures_per_email
    assert limit == 10
    for _ in range(limit):
        assert_error(await _fail_login(http, account.email), 401)
    throttled = await _fail_login(http, account.email)
    _retry_after(throttled, settings.auth.login_failure_window_seconds)


async def test_correct_password_is_refused_while_the_email_is_throttled(
    http: AsyncClient, settings: Settings
) -> None:
    account = await register_org(http)
    for _ in range(settings.auth.login_failures_per_email):
        assert_error(await _fail_login(http, account.email), 401)
    response = await http.post(
        "/api/auth/login", json={"email": account.email, "password": PASSWORD}
    )
    _retry_after(response, settings.auth.login_failure_window_seconds)
    assert "access_token" not in response.text
    # The throttle keys on the normalized email, so changing its case does not get around it.
    shouted = await http.post(
        "/api/auth/login", json={"email": account.email.upper(), "password": PASSWORD}
    )
    _retry_after(shouted, settings.auth.login_failure_window_seconds)


async def test_throttling_one_email_does_not_lock_out_other_accounts(
    http: AsyncClient, settings: Settings
) -> None:
    victim = await register_org(http)
    bystander = await register_org(http)
    for _ in range(settings.auth.login_failures_per_email):
        await _fail_login(http, victim.email)
    assert_error(await _fail_login(http, victim.email), 429)
    response = await http.post(
        "/api/auth/login", json={"email": bystander.email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    assert (await http.get("/api/me", headers=victim.headers)).status_code == 200, (
        "existing sessions keep working while sign-in is throttled"
    )


async def test_thirty_first_failed_login_from_one_ip_is_throttled(
    http: AsyncClient, settings: Settings
) -> None:
    limit = settings.auth.login_failures_per_ip
    assert limit == 30
    for attempt in range(limit):
        assert_error(await _fail_login(http, unique_email(f"spray{attempt}")), 401)
    throttled = await _fail_login(http, unique_email("spray-last"))
    _retry_after(throttled, settings.auth.login_ip_window_seconds)


async def test_api_requests_beyond_the_per_user_limit_are_throttled(limited: AsyncClient) -> None:
    bystander = await register_org(limited)
    statuses: list[int] = []
    for _ in range(2):
        # A fresh account per attempt, so a retry does not inherit the first attempt's count.
        account = await register_org(limited)
        # The window is a calendar minute: start well inside one so all requests share it.
        if 60 - time.time() % 60 < 5:
            await asyncio.sleep(60 - time.time() % 60 + 0.1)
        minute = int(time.time() // 60)
        responses = [
            await limited.get("/api/me", headers=account.headers) for _ in range(API_LIMIT + 1)
        ]
        statuses = [r.status_code for r in responses]
        if int(time.time() // 60) == minute:
            break
    assert statuses == [200] * API_LIMIT + [429], statuses
    _retry_after(responses[-1], 60)
    assert_error(await limited.get("/api/chat/sessions", headers=account.headers), 429)
    other = await limited.get("/api/me", headers=bystander.headers)
    assert other.status_code == 200, "the limit is per user, not global"
