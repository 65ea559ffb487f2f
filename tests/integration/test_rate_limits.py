"""Throttling of failed sign-ins (per email, per client IP) and of API requests per user."""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient, Response

from archivist.core.config import Settings
from archivist.core.state import AppState
from tests.factories.accounts import PASSWORD, make_org, register_org, unique_email
from tests.support import assert_error, client_with_auth

API_LIMIT = 5


@pytest.fixture
async def limited(settings: Settings) -> AsyncIterator[AsyncClient]:
    """An app whose per-user API limit is API_LIMIT requests a minute, with its own AppState."""
    async with client_with_auth(settings, api_requests_per_minute=API_LIMIT) as client:
        yield client


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


async def test_an_office_signing_in_at_once_from_one_address_is_not_throttled(
    http: AsyncClient, settings: Settings
) -> None:
    """More people than the per-address failure limit sign in at the same moment."""
    org = await make_org(http, members=settings.auth.login_failures_per_ip + 5, name="Office")
    people = [org.admin, *org.members]
    responses = await asyncio.gather(
        *(
            http.post("/api/auth/login", json={"email": p.email, "password": PASSWORD})
            for p in people
        )
    )
    assert [r.status_code for r in responses] == [200] * len(people), [
        r.text for r in responses if r.status_code != 200
    ][:2]


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


async def _in_one_minute(requests: int) -> None:
    """Wait, if need be, so that `requests` quick requests share one calendar minute."""
    if 60 - time.time() % 60 < 5 + requests * 0.5:
        await asyncio.sleep(60 - time.time() % 60 + 0.1)


async def test_requests_with_a_revoked_session_are_refused_and_not_counted(
    limited: AsyncClient,
) -> None:
    account = await register_org(limited)
    await _in_one_minute(3 * API_LIMIT)
    assert (await limited.post("/api/auth/logout", headers=account.headers)).status_code == 204
    for _ in range(2 * API_LIMIT):
        assert_error(await limited.get("/api/me", headers=account.headers), 401)
    login = await limited.post(
        "/api/auth/login", json={"email": account.email, "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    # The refused requests used none of the user's allowance; the logout itself counted.
    statuses = [
        (await limited.get("/api/me", headers=headers)).status_code for _ in range(API_LIMIT)
    ]
    assert statuses == [200] * (API_LIMIT - 1) + [429], statuses


async def test_api_key_requests_beyond_the_per_user_limit_are_throttled(
    limited: AsyncClient,
) -> None:
    account = await register_org(limited)
    await _in_one_minute(API_LIMIT + 2)
    created = await limited.post("/api/api-keys", json={"name": "k"}, headers=account.headers)
    assert created.status_code == 201, created.text
    key = {"Authorization": f"Bearer {created.json()['key']}"}
    # The token's request above counted too: token and key share the user's allowance.
    statuses = [(await limited.get("/api/me", headers=key)).status_code for _ in range(API_LIMIT)]
    assert statuses == [200] * (API_LIMIT - 1) + [429], statuses
    _retry_after(await limited.get("/api/me", headers=account.headers), 60)


async def test_a_parallel_burst_of_wrong_passwords_gets_no_more_guesses_than_the_limit(
    http: AsyncClient, settings: Settings
) -> None:
    account = await register_org(http)
    limit = settings.auth.login_failures_per_email
    burst = await asyncio.gather(*(_fail_login(http, account.email) for _ in range(3 * limit)))
    statuses = [r.status_code for r in burst]
    assert statuses.count(401) == limit, statuses
    assert statuses.count(429) == 2 * limit, statuses
    for response in burst:
        if response.status_code == 429:
            _retry_after(response, settings.auth.login_failure_window_seconds)


async def test_a_successful_sign_in_forgives_only_itself(
    http: AsyncClient, settings: Settings
) -> None:
    account = await register_org(http)
    limit = settings.auth.login_failures_per_email
    for _ in range(limit - 1):
        assert_error(await _fail_login(http, account.email), 401)
    right = await http.post("/api/auth/login", json={"email": account.email, "password": PASSWORD})
    assert right.status_code == 200, right.text
    # The failures before it still count: one more guess is allowed, not another ten.
    assert_error(await _fail_login(http, account.email), 401)
    _retry_after(await _fail_login(http, account.email), settings.auth.login_failure_window_seconds)


SIGNUP_LIMIT = 3


@pytest.fixture
async def few_signups(settings: Settings, app_state: AppState) -> AsyncIterator[AsyncClient]:
    """An app allowing SIGNUP_LIMIT new organizations per address, with its own AppState.

    (`app_state` only so that the counters left by earlier tests are cleared first.)
    """
    async with client_with_auth(settings, registrations_per_ip=SIGNUP_LIMIT) as client:
        yield client


async def _sign_up(http: AsyncClient, email: str | None = None) -> Response:
    return await http.post(
        "/api/auth/register",
        json={"email": email or unique_email(), "password": PASSWORD, "organization_name": "Spam"},
    )


async def test_sign_ups_from_one_address_beyond_the_limit_are_throttled(
    few_signups: AsyncClient, settings: Settings
) -> None:
    first = await _sign_up(few_signups)
    assert first.status_code == 201, first.text
    # A failed attempt counts too.
    assert_error(await _sign_up(few_signups, first.json()["user"]["email"]), 409)
    assert (await _sign_up(few_signups)).status_code == 201
    throttled = await _sign_up(few_signups)
    _retry_after(throttled, settings.auth.registration_window_seconds)
    assert "access_token" not in throttled.text


async def test_a_parallel_burst_of_sign_ups_gets_no_more_than_the_limit(
    few_signups: AsyncClient,
) -> None:
    burst = await asyncio.gather(*(_sign_up(few_signups) for _ in range(3 * SIGNUP_LIMIT)))
    statuses = [r.status_code for r in burst]
    assert sorted(statuses) == [201] * SIGNUP_LIMIT + [429] * (2 * SIGNUP_LIMIT), statuses


async def test_joining_by_invite_is_not_throttled_with_sign_ups(
    few_signups: AsyncClient,
) -> None:
    admin = (await _sign_up(few_signups)).json()
    headers = {"Authorization": f"Bearer {admin['access_token']}"}
    for _ in range(SIGNUP_LIMIT - 1):
        assert (await _sign_up(few_signups)).status_code == 201
    assert_error(await _sign_up(few_signups), 429)
    for _ in range(SIGNUP_LIMIT + 2):
        invite = await few_signups.post(
            "/api/organization/invites", json={"role": "member"}, headers=headers
        )
        joined = await few_signups.post(
            "/api/auth/register",
            json={
                "email": unique_email(),
                "password": PASSWORD,
                "invite_token": invite.json()["invite_token"],
            },
        )
        assert joined.status_code == 201, joined.text
