"""Sign-up, sign-in, tokens, sessions, API keys, cookies with CSRF, invites and roles."""

import asyncio
import time
import uuid

import jwt
import pytest
from argon2 import PasswordHasher
from httpx import AsyncClient
from sqlalchemy import insert, update
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession

from archivist.core.db import set_lookup, set_tenant
from archivist.core.security import digest, issue_token
from archivist.core.state import AppState
from archivist.models import Invite, Membership, User
from tests.factories.accounts import (
    PASSWORD,
    Account,
    invite_member,
    make_org,
    register_org,
    unique_email,
)
from tests.support import assert_error, bearer

COOKIE = "archivist_session"
CSRF_COOKIE = "archivist_csrf"
CSRF_HEADER = "X-CSRF-Token"


def _claims(token: str) -> dict[str, object]:
    claims: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return claims


async def _login(http: AsyncClient, account: Account) -> str:
    response = await http.post(
        "/api/auth/login", json={"email": account.email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def _invite(http: AsyncClient, admin: Account, **body: object) -> str:
    invite = await http.post(
        "/api/organization/invites", json={"role": "member", **body}, headers=admin.headers
    )
    assert invite.status_code == 201, invite.text
    return str(invite.json()["invite_token"])


# --- registration ------------------------------------------------------------------------------


async def test_register_creates_an_organization_with_the_user_as_admin(http: AsyncClient) -> None:
    email = unique_email("founder")
    response = await http.post(
        "/api/auth/register",
        json={"email": email, "password": PASSWORD, "organization_name": "Founders Ltd"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0
    user = body["user"]
    assert set(user) >= {
        "id",
        "email",
        "organization_id",
        "organization_name",
        "role",
        "created_at",
    }
    assert (user["email"], user["organization_name"], user["role"]) == (
        email,
        "Founders Ltd",
        "admin",
    )
    me = await http.get("/api/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json() == user


async def test_register_with_a_taken_email_conflicts(http: AsyncClient) -> None:
    first = await register_org(http)
    again = await http.post(
        "/api/auth/register",
        json={"email": first.email, "password": PASSWORD, "organization_name": "Copycat"},
    )
    assert_error(again, 409)


async def test_register_with_a_taken_email_in_other_case_conflicts(http: AsyncClient) -> None:
    first = await register_org(http)
    again = await http.post(
        "/api/auth/register",
        json={"email": first.email.upper(), "password": PASSWORD, "organization_name": "Copycat"},
    )
    assert_error(again, 409)


async def test_register_with_a_taken_email_through_an_invite_conflicts(http: AsyncClient) -> None:
    org = await make_org(http, members=0)
    other = await register_org(http)
    token = await _invite(http, org.admin)
    response = await http.post(
        "/api/auth/register",
        json={"email": other.email, "password": PASSWORD, "invite_token": token},
    )
    assert_error(response, 409)


async def test_register_rejects_a_password_shorter_than_12_characters(http: AsyncClient) -> None:
    short = await http.post(
        "/api/auth/register",
        json={"email": unique_email(), "password": "x" * 11, "organization_name": "Shorty"},
    )
    assert_error(short, 422)
    exactly_12 = await http.post(
        "/api/auth/register",
        json={"email": unique_email(), "password": "x" * 12, "organization_name": "Shorty"},
    )
    assert exactly_12.status_code == 201, exactly_12.text


async def test_register_rejects_both_organization_name_and_invite_token(http: AsyncClient) -> None:
    org = await make_org(http, members=0)
    token = await _invite(http, org.admin)
    response = await http.post(
        "/api/auth/register",
        json={
            "email": unique_email(),
            "password": PASSWORD,
            "organization_name": "Both",
            "invite_token": token,
        },
    )
    assert_error(response, 422)


async def test_register_rejects_neither_organization_name_nor_invite_token(
    http: AsyncClient,
) -> None:
    response = await http.post(
        "/api/auth/register", json={"email": unique_email(), "password": PASSWORD}
    )
    assert_error(response, 422)


async def test_register_rejects_an_invalid_email(http: AsyncClient) -> None:
    response = await http.post(
        "/api/auth/register",
        json={"email": "not-an-email", "password": PASSWORD, "organization_name": "X"},
    )
    assert_error(response, 422)


INTERNAL_DOMAINS = [
    "hq.local",
    "acme.test",
    "nas.home.arpa",
    "example.corp",
    "it.internal",
    "office.lan",
]
MALFORMED_EMAILS = ["ada@", "@hq.local", "ada@hq..local", "ada hq.local", "a@-x.corp"]


@pytest.mark.parametrize("domain", INTERNAL_DOMAINS)
async def test_addresses_on_internal_domains_can_register_be_invited_and_sign_in(
    http: AsyncClient, domain: str
) -> None:
    founder_email = f"Ada.{uuid.uuid4().hex[:8]}@{domain}"
    founded = await http.post(
        "/api/auth/register",
        json={"email": founder_email, "password": PASSWORD, "organization_name": "Intranet"},
    )
    assert founded.status_code == 201, founded.text
    assert founded.json()["user"]["email"] == founder_email.lower()
    admin = bearer(founded.json()["access_token"])
    invited = f"grace.{uuid.uuid4().hex[:8]}@{domain}"
    invite = await http.post(
        "/api/organization/invites", json={"email": invited, "role": "member"}, headers=admin
    )
    assert invite.status_code == 201, invite.text
    joined = await http.post(
        "/api/auth/register",
        json={
            "email": invited,
            "password": PASSWORD,
            "invite_token": invite.json()["invite_token"],
        },
    )
    assert joined.status_code == 201, joined.text
    for email in (founder_email, invited):
        login = await http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text


@pytest.mark.parametrize("email", MALFORMED_EMAILS)
async def test_register_still_rejects_malformed_addresses(http: AsyncClient, email: str) -> None:
    response = await http.post(
        "/api/auth/register",
        json={"email": email, "password": PASSWORD, "organization_name": "X"},
    )
    assert_error(response, 422)


async def test_password_hashing_does_not_block_the_event_loop(http: AsyncClient) -> None:
    started = time.perf_counter()
    PasswordHasher().hash(PASSWORD)  # the parameters the service uses
    one_hash = time.perf_counter() - started
    account = await register_org(http)
    longest_stall = 0.0
    done = asyncio.Event()

    async def watch_the_loop() -> None:
        nonlocal longest_stall
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            longest_stall = max(longest_stall, time.perf_counter() - before - 0.005)

    async def sign_ins() -> list[int]:
        try:
            attempts = [
                http.post("/api/auth/login", json={"email": account.email, "password": PASSWORD})
                for _ in range(6)
            ]
            return [r.status_code for r in await asyncio.gather(*attempts)]
        finally:
            done.set()

    statuses, _ = await asyncio.gather(sign_ins(), watch_the_loop())
    assert statuses == [200] * 6
    # Run on the loop, six hashes would stall it for at least one whole hash at a time.
    assert longest_stall < one_hash / 2, (longest_stall, one_hash)


# --- login -------------------------------------------------------------------------------------


async def test_login_with_the_right_password_issues_a_working_token(http: AsyncClient) -> None:
    account = await register_org(http)
    token = await _login(http, account)
    me = await http.get("/api/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    assert me.json()["id"] == account.id


async def test_login_email_is_case_insensitive(http: AsyncClient) -> None:
    account = await register_org(http)
    response = await http.post(
        "/api/auth/login", json={"email": f"  {account.email.upper()} ", "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    assert response.json()["user"]["id"] == account.id


async def test_login_with_a_wrong_password_is_401(http: AsyncClient) -> None:
    account = await register_org(http)
    response = await http.post(
        "/api/auth/login", json={"email": account.email, "password": PASSWORD + "!"}
    )
    assert_error(response, 401)
    assert "access_token" not in response.text
    assert COOKIE not in response.headers.get("set-cookie", "")


async def test_login_with_an_unknown_email_answers_exactly_like_a_wrong_password(
    http: AsyncClient,
) -> None:
    account = await register_org(http)
    wrong_password = await http.post(
        "/api/auth/login", json={"email": account.email, "password": PASSWORD + "!"}
    )
    unknown_email = await http.post(
        "/api/auth/login", json={"email": unique_email("nobody"), "password": PASSWORD}
    )
    assert assert_error(unknown_email, 401) == assert_error(wrong_password, 401)


# --- tokens ------------------------------------------------------------------------------------


async def test_request_without_credentials_is_401(http: AsyncClient) -> None:
    http.cookies.clear()
    assert_error(await http.get("/api/me"), 401)
    assert_error(await http.get("/api/me", headers={"Authorization": "Bearer "}), 401)
    assert_error(await http.get("/api/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)


async def test_garbage_bearer_token_is_401(http: AsyncClient) -> None:
    for token in ("nonsense", "a.b.c", "ak_not-a-real-key", "x" * 5000):
        assert_error(await http.get("/api/me", headers=bearer(token)), 401)


async def test_token_with_a_tampered_signature_is_401(http: AsyncClient) -> None:
    account = await register_org(http)
    header, payload, signature = account.token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert_error(await http.get("/api/me", headers=bearer(f"{header}.{payload}.{flipped}")), 401)
    assert (await http.get("/api/me", headers=account.headers)).status_code == 200


async def test_token_with_a_tampered_payload_is_401(http: AsyncClient) -> None:
    victim = await register_org(http)
    attacker = await register_org(http)
    header, _, signature = attacker.token.split(".")
    _, victim_payload, _ = victim.token.split(".")
    assert_error(
        await http.get("/api/me", headers=bearer(f"{header}.{victim_payload}.{signature}")), 401
    )


async def test_token_signed_with_another_secret_is_401(http: AsyncClient) -> None:
    account = await register_org(http)
    claims = _claims(account.token)
    forged = jwt.encode(claims, "some-other-secret-" + "y" * 40, algorithm="HS256")
    assert_error(await http.get("/api/me", headers=bearer(forged)), 401)


async def test_unsigned_token_is_401(http: AsyncClient) -> None:
    account = await register_org(http)
    unsigned = jwt.encode(_claims(account.token), None, algorithm="none")
    assert_error(await http.get("/api/me", headers=bearer(unsigned)), 401)


async def test_expired_token_of_a_live_session_is_401(
    http: AsyncClient, app_state: AppState
) -> None:
    account = await register_org(http)
    sid = str(_claims(account.token)["sid"])
    expired, _ = issue_token(
        app_state.jwt_secret, uuid.UUID(account.id), uuid.UUID(account.org_id), sid, ttl_seconds=-10
    )
    assert_error(await http.get("/api/me", headers=bearer(expired)), 401)
    # Same secret, same live session: only the expiry differs.
    fresh, _ = issue_token(
        app_state.jwt_secret, uuid.UUID(account.id), uuid.UUID(account.org_id), sid, ttl_seconds=60
    )
    assert (await http.get("/api/me", headers=bearer(fresh))).status_code == 200


async def test_token_whose_claims_do_not_match_its_session_is_401(
    http: AsyncClient, app_state: AppState
) -> None:
    org = await make_org(http, members=1)
    admin, member = org.admin, org.members[0]
    member_sid = str(_claims(member.token)["sid"])
    forged, _ = issue_token(
        app_state.jwt_secret, uuid.UUID(admin.id), uuid.UUID(admin.org_id), member_sid, 60
    )
    assert_error(await http.get("/api/me", headers=bearer(forged)), 401)


async def test_token_for_an_unknown_session_is_401(http: AsyncClient, app_state: AppState) -> None:
    account = await register_org(http)
    forged, _ = issue_token(
        app_state.jwt_secret, uuid.UUID(account.id), uuid.UUID(account.org_id), "no-such-sid", 60
    )
    assert_error(await http.get("/api/me", headers=bearer(forged)), 401)


# --- logout ------------------------------------------------------------------------------------


async def test_logout_revokes_that_token_only(http: AsyncClient) -> None:
    account = await register_org(http)
    second = await _login(http, account)
    response = await http.post("/api/auth/logout", headers=account.headers)
    assert response.status_code == 204, response.text
    assert_error(await http.get("/api/me", headers=account.headers), 401)
    assert_error(await http.post("/api/auth/logout", headers=account.headers), 401)
    assert (await http.get("/api/me", headers=bearer(second))).status_code == 200


async def test_logout_all_revokes_every_token_of_the_user_but_not_of_others(
    http: AsyncClient,
) -> None:
    org = await make_org(http, members=1)
    admin, colleague = org.admin, org.members[0]
    tokens = [admin.token, await _login(http, admin), await _login(http, admin)]
    outsider = await register_org(http)
    response = await http.post("/api/auth/logout-all", headers=bearer(tokens[1]))
    assert response.status_code == 204, response.text
    for token in tokens:
        assert_error(await http.get("/api/me", headers=bearer(token)), 401)
    assert (await http.get("/api/me", headers=colleague.headers)).status_code == 200
    assert (await http.get("/api/me", headers=outsider.headers)).status_code == 200
    assert (await http.get("/api/me", headers=bearer(await _login(http, admin)))).status_code == 200


# --- API keys ----------------------------------------------------------------------------------


async def test_api_key_is_shown_once_and_never_listed(http: AsyncClient) -> None:
    account = await register_org(http)
    created = await http.post(
        "/api/api-keys", json={"name": "backup script"}, headers=account.headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) >= {"id", "name", "key", "created_at"}
    assert body["key"].startswith("ak_") and len(body["key"]) > 20
    assert body["name"] == "backup script"
    listed = await http.get("/api/api-keys", headers=account.headers)
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [body["id"]]
    assert listed.json()["next_cursor"] is None
    assert "key" not in listed.json()["items"][0]
    assert body["key"] not in listed.text


async def test_api_key_authenticates_as_its_user(http: AsyncClient) -> None:
    account = await register_org(http)
    key = (await http.post("/api/api-keys", json={"name": "k"}, headers=account.headers)).json()[
        "key"
    ]
    me = await http.get("/api/me", headers=bearer(key))
    assert me.status_code == 200, me.text
    assert me.json()["id"] == account.id
    created = await http.post("/api/chat/sessions", json={"title": "via key"}, headers=bearer(key))
    assert created.status_code == 201, created.text


async def test_revoked_api_key_is_401(http: AsyncClient) -> None:
    account = await register_org(http)
    created = (await http.post("/api/api-keys", json={"name": "k"}, headers=account.headers)).json()
    kept = (await http.post("/api/api-keys", json={"name": "kept"}, headers=account.headers)).json()
    revoked = await http.delete(f"/api/api-keys/{created['id']}", headers=account.headers)
    assert revoked.status_code == 204, revoked.text
    assert_error(await http.get("/api/me", headers=bearer(created["key"])), 401)
    assert (await http.get("/api/me", headers=bearer(kept["key"]))).status_code == 200
    listed = await http.get("/api/api-keys", headers=account.headers)
    assert [item["id"] for item in listed.json()["items"]] == [kept["id"]]
    assert_error(await http.delete(f"/api/api-keys/{created['id']}", headers=account.headers), 404)


async def test_logout_all_does_not_need_to_revoke_api_keys_to_end_sessions(
    http: AsyncClient,
) -> None:
    account = await register_org(http)
    key = (await http.post("/api/api-keys", json={"name": "k"}, headers=account.headers)).json()[
        "key"
    ]
    assert (await http.post("/api/auth/logout-all", headers=account.headers)).status_code == 204
    assert_error(await http.get("/api/me", headers=account.headers), 401)
    # API keys are revoked explicitly (DELETE), not by ending login sessions.
    assert (await http.get("/api/me", headers=bearer(key))).status_code == 200


# --- deactivation ------------------------------------------------------------------------------


async def test_deactivated_user_loses_access_and_cannot_sign_in(http: AsyncClient) -> None:
    org = await make_org(http, members=1)
    member = org.members[0]
    other_token = await _login(http, member)
    key = (await http.post("/api/api-keys", json={"name": "k"}, headers=member.headers)).json()[
        "key"
    ]
    response = await http.patch(
        f"/api/organization/users/{member.id}", json={"is_active": False}, headers=org.admin.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False
    assert_error(await http.get("/api/me", headers=member.headers), 401)
    assert_error(await http.get("/api/me", headers=bearer(other_token)), 401)
    assert_error(await http.get("/api/me", headers=bearer(key)), 401)
    login = await http.post("/api/auth/login", json={"email": member.email, "password": PASSWORD})
    assert_error(login, 401)
    assert "access_token" not in login.text


async def test_reactivated_user_can_sign_in_again(http: AsyncClient) -> None:
    org = await make_org(http, members=1)
    member = org.members[0]
    path = f"/api/organization/users/{member.id}"
    assert (
        await http.patch(path, json={"is_active": False}, headers=org.admin.headers)
    ).status_code == 200
    assert (
        await http.patch(path, json={"is_active": True}, headers=org.admin.headers)
    ).status_code == 200
    token = await _login(http, member)
    assert (await http.get("/api/me", headers=bearer(token))).status_code == 200
    # Deactivation ended the old sessions for good; reactivating does not revive them.
    assert_error(await http.get("/api/me", headers=member.headers), 401)


# --- cookies and CSRF --------------------------------------------------------------------------


async def test_login_sets_an_httponly_session_cookie(http: AsyncClient) -> None:
    account = await register_org(http)
    http.cookies.clear()
    response = await http.post(
        "/api/auth/login", json={"email": account.email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    set_cookies = response.headers.get_list("set-cookie")
    session = [c for c in set_cookies if c.startswith(f"{COOKIE}=")]
    csrf = [c for c in set_cookies if c.startswith(f"{CSRF_COOKIE}=")]
    assert len(session) == 1 and len(csrf) == 1, set_cookies
    assert "httponly" in session[0].lower()
    assert "samesite=lax" in session[0].lower()
    assert "httponly" not in csrf[0].lower(), "the web UI must be able to read the CSRF cookie"


async def test_session_cookie_alone_authenticates_reads(http: AsyncClient) -> None:
    account = await register_org(http)
    http.cookies.clear()
    assert (
        await http.post("/api/auth/login", json={"email": account.email, "password": PASSWORD})
    ).status_code == 200
    me = await http.get("/api/me")
    assert me.status_code == 200, me.text
    assert me.json()["id"] == account.id


async def test_cookie_authenticated_write_without_csrf_header_is_403(http: AsyncClient) -> None:
    account = await register_org(http)
    http.cookies.clear()
    assert (
        await http.post("/api/auth/login", json={"email": account.email, "password": PASSWORD})
    ).status_code == 200
    response = await http.post("/api/chat/sessions", json={"title": "csrf"})
    assert_error(response, 403)
    listed = await http.get("/api/chat/sessions")
    assert listed.json()["items"] == [], "a refused write must not have happened"


async def test_cookie_authenticated_write_with_wrong_csrf_header_is_403(http: AsyncClient) -> None:
    account = await register_org(http)
    http.cookies.clear()
    assert (
        await http.post("/api/auth/login", json={"email": account.email, "password": PASSWORD})
    ).status_code == 200
    response = await http.post(
        "/api/chat/sessions", json={"title": "csrf"}, headers={CSRF_HEADER: "0" * 64}
    )
    assert_error(response, 403)


async def test_csrf_token_of_another_session_is_403(http: AsyncClient) -> None:
    account = await register_org(http)
    http.cookies.clear()
    assert (
        await http.post("/api/auth/login", json={"email": account.email, "password": PASSWORD})
    ).status_code == 200
    stale_csrf = http.cookies[CSRF_COOKIE]
    http.cookies.clear()
    assert (
        await http.post("/api/auth/login", json={"email": account.email, "password": PASSWORD})
    ).status_code == 200
    assert http.cookies[CSRF_COOKIE] != stale_csrf
    response = await http.post(
        "/api/chat/sessions", json={"title": "csrf"}, headers={CSRF_HEADER: stale_csrf}
    )
    assert_error(response, 403)


async def test_cookie_authenticated_write_with_csrf_header_succeeds(http: AsyncClient) -> None:
    account = await register_org(http)
    http.cookies.clear()
    assert (
        await http.post("/api/auth/login", json={"email": account.email, "password": PASSWORD})
    ).status_code == 200
    response = await http.post(
        "/api/chat/sessions",
        json={"title": "csrf"},
        headers={CSRF_HEADER: http.cookies[CSRF_COOKIE]},
    )
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "csrf"


async def test_bearer_authenticated_write_needs_no_csrf_header(http: AsyncClient) -> None:
    account = await register_org(http)
    http.cookies.clear()
    response = await http.post(
        "/api/chat/sessions", json={"title": "bearer"}, headers=account.headers
    )
    assert response.status_code == 201, response.text


async def test_session_cookie_stops_working_after_logout(http: AsyncClient) -> None:
    account = await register_org(http)
    http.cookies.clear()
    login = await http.post("/api/auth/login", json={"email": account.email, "password": PASSWORD})
    cookie = http.cookies[COOKIE]
    csrf = http.cookies[CSRF_COOKIE]
    assert (await http.post("/api/auth/logout", headers={CSRF_HEADER: csrf})).status_code == 204
    http.cookies.clear()
    http.cookies.set(COOKIE, cookie)
    assert_error(await http.get("/api/me"), 401)
    assert_error(await http.get("/api/me", headers=bearer(login.json()["access_token"])), 401)


# --- invites -----------------------------------------------------------------------------------


async def test_invite_joins_the_organization_with_the_invites_role(http: AsyncClient) -> None:
    org = await make_org(http, members=0)
    member = await invite_member(http, org.admin, role="member")
    admin = await invite_member(http, org.admin, role="admin")
    assert (member.org_id, member.role) == (org.id, "member")
    assert (admin.org_id, admin.role) == (org.id, "admin")
    users = await http.get("/api/organization/users", headers=admin.headers)
    assert users.status_code == 200, "an invited admin has admin rights"


async def test_role_in_the_registration_body_is_ignored(http: AsyncClient) -> None:
    org = await make_org(http, members=0)
    token = await _invite(http, org.admin)
    response = await http.post(
        "/api/auth/register",
        json={
            "email": unique_email(),
            "password": PASSWORD,
            "invite_token": token,
            "role": "admin",
            "organization_id": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["user"]["role"] == "member"
    assert response.json()["user"]["organization_id"] == org.id
    token_headers = bearer(response.json()["access_token"])
    assert_error(await http.get("/api/organization/users", headers=token_headers), 403)


async def test_invite_token_works_only_once(http: AsyncClient) -> None:
    org = await make_org(http, members=0)
    token = await _invite(http, org.admin)
    first = await http.post(
        "/api/auth/register",
        json={"email": unique_email(), "password": PASSWORD, "invite_token": token},
    )
    assert first.status_code == 201, first.text
    second_email = unique_email()
    second = await http.post(
        "/api/auth/register",
        json={"email": second_email, "password": PASSWORD, "invite_token": token},
    )
    assert_error(second, 422)
    login = await http.post("/api/auth/login", json={"email": second_email, "password": PASSWORD})
    assert_error(login, 401)


async def test_unknown_invite_token_is_rejected(http: AsyncClient) -> None:
    response = await http.post(
        "/api/auth/register",
        json={"email": unique_email(), "password": PASSWORD, "invite_token": "no-such-invite"},
    )
    assert_error(response, 422)


async def test_invite_for_an_email_works_only_for_that_email(http: AsyncClient) -> None:
    org = await make_org(http, members=0)
    invited = unique_email("invited")
    token = await _invite(http, org.admin, email=invited)
    wrong = await http.post(
        "/api/auth/register",
        json={"email": unique_email("intruder"), "password": PASSWORD, "invite_token": token},
    )
    assert_error(wrong, 422)
    right = await http.post(
        "/api/auth/register",
        json={"email": invited.upper(), "password": PASSWORD, "invite_token": token},
    )
    assert right.status_code == 201, right.text
    assert right.json()["user"]["organization_id"] == org.id
    assert right.json()["user"]["email"] == invited


async def _joining_user(session: AsyncSession, org_id: str, invite_token: str) -> uuid.UUID:
    """As the registration transaction stands just before the membership goes in."""
    user_id = uuid.uuid4()
    await set_lookup(session, "app.invite_token_hash", digest(invite_token))
    await set_tenant(session, user_id, None)
    session.add(User(id=user_id, email=unique_email(), password_hash="x"))
    await session.flush()
    await set_tenant(session, user_id, uuid.UUID(org_id))
    return user_id


async def test_the_database_gives_a_joining_user_only_the_invites_role(
    http: AsyncClient, app_state: AppState
) -> None:
    org = await make_org(http, members=0)
    token = await _invite(http, org.admin)  # a member's invite
    async with app_state.sessionmaker() as session:
        user_id = await _joining_user(session, org.id, token)
        joined = {"organization_id": uuid.UUID(org.id), "user_id": user_id}
        with pytest.raises(ProgrammingError, match="row-level security"):
            async with session.begin_nested():
                await session.execute(insert(Membership).values(**joined, role="admin"))
        with pytest.raises(ProgrammingError, match="cannot change"):
            async with session.begin_nested():
                await session.execute(
                    update(Invite).where(Invite.token_hash == digest(token)).values(role="admin")
                )
        await session.execute(insert(Membership).values(**joined, role="member"))
        await session.rollback()


async def test_the_database_refuses_to_join_without_an_open_invite(
    http: AsyncClient, app_state: AppState
) -> None:
    org = await make_org(http, members=1)
    used = await _invite(http, org.admin)
    assert (
        await http.post(
            "/api/auth/register",
            json={"email": unique_email(), "password": PASSWORD, "invite_token": used},
        )
    ).status_code == 201
    for token in (used, "no-such-invite"):
        async with app_state.sessionmaker() as session:
            user_id = await _joining_user(session, org.id, token)
            for role in ("admin", "member"):
                with pytest.raises(ProgrammingError, match="row-level security"):
                    async with session.begin_nested():
                        await session.execute(
                            insert(Membership).values(
                                organization_id=uuid.UUID(org.id), user_id=user_id, role=role
                            )
                        )
            await session.rollback()


# --- roles -------------------------------------------------------------------------------------


async def test_last_admin_cannot_demote_themselves(http: AsyncClient) -> None:
    org = await make_org(http, members=1)
    response = await http.patch(
        f"/api/organization/users/{org.admin.id}",
        json={"role": "member"},
        headers=org.admin.headers,
    )
    assert_error(response, 409)
    me = await http.get("/api/me", headers=org.admin.headers)
    assert me.json()["role"] == "admin"
    assert (await http.get("/api/organization/users", headers=org.admin.headers)).status_code == 200


async def test_last_admin_cannot_deactivate_themselves(http: AsyncClient) -> None:
    org = await make_org(http, members=1)
    response = await http.patch(
        f"/api/organization/users/{org.admin.id}",
        json={"is_active": False},
        headers=org.admin.headers,
    )
    assert_error(response, 409)
    assert (await http.get("/api/me", headers=org.admin.headers)).status_code == 200


async def test_admin_can_step_down_when_another_admin_remains(http: AsyncClient) -> None:
    org = await make_org(http, members=0)
    second_admin = await invite_member(http, org.admin, role="admin")
    response = await http.patch(
        f"/api/organization/users/{org.admin.id}",
        json={"role": "member"},
        headers=org.admin.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "member"
    assert_error(await http.get("/api/organization/users", headers=org.admin.headers), 403)
    assert (
        await http.get("/api/organization/users", headers=second_admin.headers)
    ).status_code == 200


async def test_admin_can_promote_a_member(http: AsyncClient) -> None:
    org = await make_org(http, members=1)
    member = org.members[0]
    response = await http.patch(
        f"/api/organization/users/{member.id}", json={"role": "admin"}, headers=org.admin.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "admin"
    assert (await http.get("/api/organization/users", headers=member.headers)).status_code == 200


async def test_member_cannot_change_roles(http: AsyncClient) -> None:
    org = await make_org(http, members=2)
    member, colleague = org.members
    for target in (member, colleague, org.admin):
        for change in ({"role": "admin"}, {"role": "member"}, {"is_active": False}):
            response = await http.patch(
                f"/api/organization/users/{target.id}", json=change, headers=member.headers
            )
            assert_error(response, 403)
    users = await http.get("/api/organization/users", headers=org.admin.headers)
    state = {user["id"]: (user["role"], user["is_active"]) for user in users.json()["items"]}
    assert state == {
        org.admin.id: ("admin", True),
        member.id: ("member", True),
        colleague.id: ("member", True),
    }


@pytest.mark.parametrize("change", [{"role": "member"}, {"is_active": False}])
async def test_two_admins_removing_each_other_at_once_leave_one_admin(
    http: AsyncClient, change: dict[str, object]
) -> None:
    for _ in range(4):
        org = await make_org(http, members=0)
        first, second = org.admin, await invite_member(http, org.admin, role="admin")
        responses = await asyncio.gather(
            http.patch(f"/api/organization/users/{second.id}", json=change, headers=first.headers),
            http.patch(f"/api/organization/users/{first.id}", json=change, headers=second.headers),
        )
        statuses = [r.status_code for r in responses]
        assert statuses.count(200) == 1, [r.text for r in responses]
        winner = first if statuses[0] == 200 else second
        loser = next(r for r in responses if r.status_code != 200)
        # 409 when the two overlap; had one finished first, the other would find itself no
        # longer an (active) admin.
        assert loser.status_code in (401, 403, 409), loser.text
        assert_error(loser, loser.status_code)
        users = await http.get("/api/organization/users", headers=winner.headers)
        admins = [u["id"] for u in users.json()["items"] if u["role"] == "admin" and u["is_active"]]
        assert admins == [winner.id]


async def test_me_is_the_same_profile_by_token_and_by_api_key(http: AsyncClient) -> None:
    org = await make_org(http, members=1)
    member = org.members[0]
    key = (await http.post("/api/api-keys", json={"name": "k"}, headers=member.headers)).json()
    by_token = await http.get("/api/me", headers=member.headers)
    by_key = await http.get("/api/me", headers=bearer(key["key"]))
    assert by_token.status_code == by_key.status_code == 200, (by_token.text, by_key.text)
    assert by_token.json() == by_key.json()
    assert (by_token.json()["email"], by_token.json()["role"]) == (member.email, "member")


async def test_role_change_takes_effect_on_the_next_request_of_a_live_session(
    http: AsyncClient,
) -> None:
    org = await make_org(http, members=1)
    member = org.members[0]
    assert_error(await http.get("/api/organization/users", headers=member.headers), 403)
    promoted = await http.patch(
        f"/api/organization/users/{member.id}", json={"role": "admin"}, headers=org.admin.headers
    )
    assert promoted.status_code == 200, promoted.text
    # The same token, not a new sign-in: the role is read from the database on every request.
    assert (await http.get("/api/organization/users", headers=member.headers)).status_code == 200
    assert (await http.get("/api/me", headers=member.headers)).json()["role"] == "admin"
    demoted = await http.patch(
        f"/api/organization/users/{member.id}", json={"role": "member"}, headers=org.admin.headers
    )
    assert demoted.status_code == 200, demoted.text
    assert_error(await http.get("/api/organization/users", headers=member.headers), 403)
