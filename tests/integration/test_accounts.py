"""Account controls: password change, admin-issued password resets, sessions, the audit log."""

import uuid
from typing import Any

import jwt
from httpx import AsyncClient, Response

from archivist.core.config import Settings
from archivist.core.security import digest
from archivist.core.state import AppState
from tests.factories.accounts import PASSWORD, Account, make_org, register_org
from tests.support import assert_error, bearer, open_client

NEW_PASSWORD = "a different long passphrase"


async def _login(
    http: AsyncClient, email: str, password: str = PASSWORD, user_agent: str = "pytest"
) -> Response:
    return await http.post(
        "/api/auth/login",
        json={"email": email, "password": password},
        headers={"User-Agent": user_agent},
    )


async def _token(http: AsyncClient, account: Account, user_agent: str = "pytest") -> str:
    response = await _login(http, account.email, user_agent=user_agent)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def _change(http: AsyncClient, token: str, current: str, new: str) -> Response:
    return await http.post(
        "/api/me/password",
        json={"current_password": current, "new_password": new},
        headers=bearer(token),
    )


async def _events(http: AsyncClient, admin: Account, **params: Any) -> list[dict[str, Any]]:
    """Every page of the audit log the admin gets for `params`."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await http.get("/api/audit-events", params=query, headers=admin.headers)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items


# --- password change ---------------------------------------------------------------------------


async def test_password_change_needs_the_current_password(http: AsyncClient) -> None:
    account = await register_org(http)
    response = await _change(http, account.token, PASSWORD + "?", NEW_PASSWORD)
    assert_error(response, 422, "WrongCurrentPassword")
    assert (await http.get("/api/me", headers=account.headers)).status_code == 200
    assert (await _login(http, account.email)).status_code == 200
    assert_error(await _login(http, account.email, NEW_PASSWORD), 401)


async def test_new_password_must_have_12_characters(http: AsyncClient) -> None:
    account = await register_org(http)
    assert_error(await _change(http, account.token, PASSWORD, "short"), 422)
    assert (await _login(http, account.email)).status_code == 200


async def test_password_change_ends_the_other_sessions_only(http: AsyncClient) -> None:
    org = await make_org(http, members=1)
    account, colleague = org.admin, org.members[0]
    others = [await _token(http, account), await _token(http, account)]
    response = await _change(http, account.token, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 204, response.text
    assert (await http.get("/api/me", headers=account.headers)).status_code == 200
    for token in others:
        assert_error(await http.get("/api/me", headers=bearer(token)), 401)
    assert (await http.get("/api/me", headers=colleague.headers)).status_code == 200
    assert_error(await _login(http, account.email), 401)
    assert (await _login(http, account.email, NEW_PASSWORD)).status_code == 200


async def test_wrong_current_passwords_count_against_the_sign_in_limit(
    http: AsyncClient, settings: Settings
) -> None:
    account = await register_org(http)
    for _ in range(settings.auth.login_failures_per_email):
        assert_error(await _change(http, account.token, "guess " * 3, NEW_PASSWORD), 422)
    throttled = await _change(http, account.token, PASSWORD, NEW_PASSWORD)
    assert_error(throttled, 429)
    assert throttled.headers["Retry-After"].isdigit()


async def test_password_change_is_in_the_audit_log(http: AsyncClient) -> None:
    org = await make_org(http, members=1)
    member = org.members[0]
    assert (await _change(http, member.token, PASSWORD, NEW_PASSWORD)).status_code == 204
    events = await _events(http, org.admin, action="user.password_changed")
    assert [(e["actor_id"], e["target_id"]) for e in events] == [(member.id, member.id)]


# --- admin-issued password reset ---------------------------------------------------------------


async def _issue_reset(http: AsyncClient, admin: Account, user_id: str) -> Response:
    return await http.post(
        f"/api/organization/users/{user_id}/password-reset", headers=admin.headers
    )


async def _redeem(state: AppState, token: str, password: str = NEW_PASSWORD) -> Response:
    async with open_client(state) as anonymous:  # no cookie, no bearer: nobody signed in
        return await anonymous.post(
            "/api/auth/password-reset", json={"token": token, "new_password": password}
        )


async def test_reset_token_sets_a_new_password_once_and_ends_every_session(
    http: AsyncClient, app_state: AppState
) -> None:
    org = await make_org(http, members=1)
    member = org.members[0]
    second = await _token(http, member)
    issued = await _issue_reset(http, org.admin, member.id)
    assert issued.status_code == 201, issued.text
    assert set(issued.json()) == {"reset_token", "expires_at"}
    token = issued.json()["reset_token"]
    redeemed = await _redeem(app_state, token)
    assert redeemed.status_code == 204, redeemed.text
    for session_token in (member.token, second):
        assert_error(await http.get("/api/me", headers=bearer(session_token)), 401)
    assert_error(await _login(http, member.email), 401)
    assert (await _login(http, member.email, NEW_PASSWORD)).status_code == 200
    assert_error(await _redeem(app_state, token, "yet another passphrase"), 422)
    assert (await _login(http, member.email, NEW_PASSWORD)).status_code == 200
    actions = {e["action"] for e in await _events(http, org.admin, actor_id=member.id)}
    assert "user.password_reset" in actions
    issued_events = await _events(http, org.admin, action="user.password_reset_issued")
    assert [(e["actor_id"], e["target_id"]) for e in issued_events] == [(org.admin.id, member.id)]


async def test_reset_token_is_stored_hashed_and_expires(
    http: AsyncClient, app_state: AppState, settings: Settings
) -> None:
    org = await make_org(http, members=1)
    token = (await _issue_reset(http, org.admin, org.members[0].id)).json()["reset_token"]
    keys = [key async for key in app_state.redis.scan_iter("password-reset:*")]
    assert f"password-reset:{digest(token)}" in keys
    assert not [key for key in keys if token in key]
    for key in keys:
        assert token not in str(await app_state.redis.get(key))
    ttl = await app_state.redis.ttl(f"password-reset:{digest(token)}")
    assert 0 < ttl <= settings.auth.password_reset_ttl_seconds


async def test_a_new_reset_token_voids_the_previous_one(
    http: AsyncClient, app_state: AppState
) -> None:
    org = await make_org(http, members=1)
    member = org.members[0]
    first = (await _issue_reset(http, org.admin, member.id)).json()["reset_token"]
    second = (await _issue_reset(http, org.admin, member.id)).json()["reset_token"]
    assert_error(await _redeem(app_state, first), 422)
    assert (await _redeem(app_state, second)).status_code == 204


async def test_unknown_reset_token_is_422(app_state: AppState) -> None:
    assert_error(await _redeem(app_state, "no-such-token"), 422, "InvalidResetToken")


async def test_admin_cannot_reset_a_user_of_another_organization(http: AsyncClient) -> None:
    org = await make_org(http, members=0)
    outsider = await register_org(http)
    for user_id in (outsider.id, str(uuid.uuid4())):
        assert_error(await _issue_reset(http, org.admin, user_id), 404)
    assert (await _login(http, outsider.email)).status_code == 200


async def test_member_cannot_issue_a_reset(http: AsyncClient) -> None:
    org = await make_org(http, members=2)
    member, colleague = org.members
    for target in (colleague, org.admin, member):
        assert_error(await _issue_reset(http, member, target.id), 403)


# --- sessions ----------------------------------------------------------------------------------


async def _sessions(http: AsyncClient, token: str) -> list[dict[str, Any]]:
    response = await http.get("/api/me/sessions", headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_sessions_list_every_sign_in_and_marks_the_current_one(http: AsyncClient) -> None:
    account = await register_org(http)
    laptop = await _token(http, account, user_agent="Laptop Browser/1.0")
    items = await _sessions(http, laptop)
    assert len(items) == 2
    assert {
        "id",
        "created_at",
        "last_used_at",
        "ip",
        "user_agent",
        "current",
    } <= set(items[0])
    current = [item for item in items if item["current"]]
    assert len(current) == 1 and current[0]["user_agent"] == "Laptop Browser/1.0"
    assert current[0]["ip"] == "127.0.0.1"
    # The id names the session without being its secret session id (part of the token).
    sid = jwt.decode(laptop, options={"verify_signature": False})["sid"]
    assert sid not in {item["id"] for item in items}


async def test_revoking_a_session_ends_its_token_only(http: AsyncClient) -> None:
    account = await register_org(http)
    phone = await _token(http, account, user_agent="Phone")
    phone_id = next(i["id"] for i in await _sessions(http, phone) if i["current"])
    response = await http.delete(f"/api/me/sessions/{phone_id}", headers=account.headers)
    assert response.status_code == 204, response.text
    assert_error(await http.get("/api/me", headers=bearer(phone)), 401)
    assert (await http.get("/api/me", headers=account.headers)).status_code == 200
    assert [i["current"] for i in await _sessions(http, account.token)] == [True]
    assert_error(await http.delete(f"/api/me/sessions/{phone_id}", headers=account.headers), 404)


async def test_someone_elses_session_is_404(http: AsyncClient) -> None:
    org = await make_org(http, members=1)
    colleague = org.members[0]
    theirs = (await _sessions(http, colleague.token))[0]["id"]
    response = await http.delete(f"/api/me/sessions/{theirs}", headers=org.admin.headers)
    assert_error(response, 404)
    assert (await http.get("/api/me", headers=colleague.headers)).status_code == 200
    assert theirs not in {i["id"] for i in await _sessions(http, org.admin.token)}


# --- audit log ---------------------------------------------------------------------------------


async def test_admin_reads_the_audit_log_newest_first_in_pages(http: AsyncClient) -> None:
    org = await make_org(http, members=2)
    everything = await _events(http, org.admin)
    paged = await _events(http, org.admin, limit=2)
    assert [e["id"] for e in paged] == [e["id"] for e in everything]
    assert len({e["id"] for e in paged}) == len(paged)
    actions = [e["action"] for e in everything]
    assert actions.count("invite.created") == 2 and actions.count("invite.accepted") == 2
    assert actions.count("user.registered") == 3 and "organization.created" in actions
    stamps = [e["created_at"] for e in everything]
    assert stamps == sorted(stamps, reverse=True)
    first_page = await http.get("/api/audit-events", params={"limit": 2}, headers=org.admin.headers)
    assert first_page.json()["next_cursor"] is not None


async def test_audit_log_filters_by_actor_and_action(http: AsyncClient) -> None:
    org = await make_org(http, members=2)
    member = org.members[0]
    by_member = await _events(http, org.admin, actor_id=member.id)
    assert by_member and {e["actor_id"] for e in by_member} == {member.id}
    invites = await _events(http, org.admin, action="invite.created")
    assert len(invites) == 2 and {e["actor_id"] for e in invites} == {org.admin.id}
    both = await _events(http, org.admin, actor_id=member.id, action="invite.created")
    assert both == []


async def test_members_cannot_read_the_audit_log(http: AsyncClient) -> None:
    org = await make_org(http, members=1)
    assert_error(await http.get("/api/audit-events", headers=org.members[0].headers), 403)


async def test_audit_log_never_shows_another_organizations_events(http: AsyncClient) -> None:
    mine = await make_org(http, members=1)
    theirs = await make_org(http, members=1)
    their_ids = {e["id"] for e in await _events(http, theirs.admin)}
    my_events = await _events(http, mine.admin)
    assert their_ids and not their_ids & {e["id"] for e in my_events}
    assert {e["actor_id"] for e in my_events} <= {mine.admin.id, mine.members[0].id}
    assert await _events(http, mine.admin, actor_id=theirs.admin.id) == []


async def test_with_an_api_key_no_session_is_current(http: AsyncClient) -> None:
    account = await register_org(http)
    created = await http.post("/api/api-keys", json={"name": "script"}, headers=account.headers)
    key = created.json()["key"]
    items = await _sessions(http, key)
    assert len(items) == 1 and items[0]["current"] is False
