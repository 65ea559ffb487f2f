"""Tenant and user isolation, probed through every account, organization and chat-session endpoint.

Two organizations, each with an admin and two members. Every account owns a chat session and an
API key; each organization has a group (both named alike) holding its first member. Things a
caller may not see answer 404 — exactly like things that do not exist — and never show up in
lists; 403 is only for a role too low for an admin action.
"""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from httpx import AsyncClient, Response

from archivist.core.state import AppState
from tests.factories.accounts import PASSWORD, Account, Org, invite_member, make_org, unique_email
from tests.support import assert_error, open_client

LABELS = ("org1.admin", "org1.member", "org1.member2", "org2.admin", "org2.member", "org2.member2")
GROUP_NAME = "Engineering"


@dataclass
class World:
    orgs: dict[str, Org]
    org_names: dict[str, str]
    accounts: dict[str, Account]
    chat: dict[str, str]  # label -> id of the chat session that account owns
    chat_titles: dict[str, str]
    api_keys: dict[str, tuple[str, str]]  # label -> (key id, key)
    groups: dict[str, str]  # "org1"/"org2" -> group id (holding that org's first member)

    def others(self, label: str) -> list[str]:
        return [other for other in LABELS if other != label]

    def org_of(self, label: str) -> str:
        return label.split(".")[0]

    def labels_of(self, org: str) -> list[str]:
        return [label for label in LABELS if label.startswith(org + ".")]

    def user_ids(self, org: str) -> set[str]:
        return {self.accounts[label].id for label in self.labels_of(org)}

    def emails(self, org: str) -> set[str]:
        return {self.accounts[label].email for label in self.labels_of(org)}


@pytest.fixture
async def http(app_state: AppState) -> AsyncIterator[AsyncClient]:
    async with open_client(app_state) as client:
        yield client


@pytest.fixture
async def world(http: AsyncClient) -> World:
    orgs: dict[str, Org] = {}
    org_names: dict[str, str] = {}
    accounts: dict[str, Account] = {}
    for org in ("org1", "org2"):
        org_names[org] = f"{org} {uuid.uuid4().hex[:8]}"
        orgs[org] = await make_org(http, members=2, name=org_names[org])
        accounts[f"{org}.admin"] = orgs[org].admin
        accounts[f"{org}.member"], accounts[f"{org}.member2"] = orgs[org].members
    chat: dict[str, str] = {}
    chat_titles: dict[str, str] = {}
    api_keys: dict[str, tuple[str, str]] = {}
    for label, account in accounts.items():
        chat_titles[label] = f"{label} private chat"
        created = await http.post(
            "/api/chat/sessions", json={"title": chat_titles[label]}, headers=account.headers
        )
        assert created.status_code == 201, created.text
        chat[label] = created.json()["id"]
        key = await http.post(
            "/api/api-keys", json={"name": f"{label} key"}, headers=account.headers
        )
        assert key.status_code == 201, key.text
        api_keys[label] = (key.json()["id"], key.json()["key"])
    groups: dict[str, str] = {}
    for org in ("org1", "org2"):
        admin = accounts[f"{org}.admin"]
        group = await http.post("/api/groups", json={"name": GROUP_NAME}, headers=admin.headers)
        assert group.status_code == 201, group.text
        groups[org] = group.json()["id"]
        added = await http.post(
            f"/api/groups/{groups[org]}/members",
            json={"user_id": accounts[f"{org}.member"].id},
            headers=admin.headers,
        )
        assert added.status_code == 204, added.text
    return World(orgs, org_names, accounts, chat, chat_titles, api_keys, groups)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _group_members(response: Response, group_id: str) -> set[str]:
    assert response.status_code == 200, response.text
    for group in response.json()["items"]:
        if group["id"] == group_id:
            return set(group["member_ids"])
    raise AssertionError(f"group {group_id} missing from {response.text}")


# --- auth and accounts -------------------------------------------------------------------------


async def test_unauthenticated_requests_to_every_protected_endpoint_get_401(
    http: AsyncClient, world: World
) -> None:
    http.cookies.clear()
    some_id = world.accounts["org1.member"].id
    probes = [
        ("POST", "/api/auth/logout", None),
        ("POST", "/api/auth/logout-all", None),
        ("GET", "/api/me", None),
        ("POST", "/api/api-keys", {"name": "k"}),
        ("GET", "/api/api-keys", None),
        ("DELETE", f"/api/api-keys/{world.api_keys['org1.member'][0]}", None),
        ("GET", "/api/organization", None),
        ("POST", "/api/organization/invites", {"role": "member"}),
        ("GET", "/api/organization/users", None),
        ("PATCH", f"/api/organization/users/{some_id}", {"role": "admin"}),
        ("POST", "/api/groups", {"name": "x"}),
        ("GET", "/api/groups", None),
        ("POST", f"/api/groups/{world.groups['org1']}/members", {"user_id": some_id}),
        ("DELETE", f"/api/groups/{world.groups['org1']}/members/{some_id}", None),
        ("POST", "/api/chat/sessions", {"title": "x"}),
        ("GET", "/api/chat/sessions", None),
        ("GET", f"/api/chat/sessions/{world.chat['org1.member']}", None),
        ("PATCH", f"/api/chat/sessions/{world.chat['org1.member']}", {"title": "x"}),
        ("DELETE", f"/api/chat/sessions/{world.chat['org1.member']}", None),
    ]
    for method, path, body in probes:
        response = await http.request(method, path, json=body)
        assert_error(response, 401)
    owner = world.accounts["org1.member"]
    still_there = await http.get(
        f"/api/chat/sessions/{world.chat['org1.member']}", headers=owner.headers
    )
    assert still_there.status_code == 200, still_there.text
    assert still_there.json()["title"] == world.chat_titles["org1.member"]


async def test_me_describes_only_the_caller(http: AsyncClient, world: World) -> None:
    for label, account in world.accounts.items():
        me = await http.get("/api/me", headers=account.headers)
        assert me.status_code == 200, me.text
        body = me.json()
        assert (body["id"], body["email"]) == (account.id, account.email), label
        assert body["organization_id"] == world.orgs[world.org_of(label)].id, label
        assert body["organization_name"] == world.org_names[world.org_of(label)], label


async def test_login_signs_in_to_the_users_own_organization_only(
    http: AsyncClient, world: World
) -> None:
    for label in ("org1.member", "org2.member"):
        account = world.accounts[label]
        login = await http.post(
            "/api/auth/login", json={"email": account.email, "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        user = login.json()["user"]
        assert user["id"] == account.id
        assert user["organization_id"] == world.orgs[world.org_of(label)].id
        users = await http.get(
            "/api/organization/users", headers=_bearer(login.json()["access_token"])
        )
        assert_error(users, 403)


async def test_logout_of_one_user_does_not_end_anyone_elses_session(
    http: AsyncClient, world: World
) -> None:
    leaving = world.accounts["org1.member"]
    assert (await http.post("/api/auth/logout", headers=leaving.headers)).status_code == 204
    assert_error(await http.get("/api/me", headers=leaving.headers), 401)
    for label in world.others("org1.member"):
        me = await http.get("/api/me", headers=world.accounts[label].headers)
        assert me.status_code == 200, f"{label} was signed out by someone else's logout"


async def test_logout_all_of_one_user_does_not_end_anyone_elses_sessions(
    http: AsyncClient, world: World
) -> None:
    leaving = world.accounts["org1.admin"]
    assert (await http.post("/api/auth/logout-all", headers=leaving.headers)).status_code == 204
    assert_error(await http.get("/api/me", headers=leaving.headers), 401)
    for label in world.others("org1.admin"):
        me = await http.get("/api/me", headers=world.accounts[label].headers)
        assert me.status_code == 200, f"{label} was signed out by someone else's logout-all"


async def test_api_key_list_contains_only_the_callers_own_keys(
    http: AsyncClient, world: World
) -> None:
    all_secrets = [key for _, key in world.api_keys.values()]
    for label, account in world.accounts.items():
        listed = await http.get("/api/api-keys", headers=account.headers)
        assert listed.status_code == 200, listed.text
        assert {item["id"] for item in listed.json()["items"]} == {world.api_keys[label][0]}, label
        assert not any(secret in listed.text for secret in all_secrets), label
        assert all("key" not in item for item in listed.json()["items"]), label


async def test_api_key_of_another_user_cannot_be_revoked(http: AsyncClient, world: World) -> None:
    target_id, target_key = world.api_keys["org1.member"]
    missing = await http.delete(
        f"/api/api-keys/{uuid.uuid4()}", headers=world.accounts["org1.member2"].headers
    )
    missing_body = assert_error(missing, 404)
    for label in world.others("org1.member"):
        response = await http.delete(
            f"/api/api-keys/{target_id}", headers=world.accounts[label].headers
        )
        assert assert_error(response, 404) == missing_body, label
    me = await http.get("/api/me", headers=_bearer(target_key))
    assert me.status_code == 200, "a failed revoke by someone else must leave the key working"
    assert me.json()["id"] == world.accounts["org1.member"].id


async def test_api_key_acts_only_within_its_own_users_visibility(
    http: AsyncClient, world: World
) -> None:
    _, member_key = world.api_keys["org2.member"]
    me = await http.get("/api/me", headers=_bearer(member_key))
    assert me.status_code == 200, me.text
    assert me.json()["id"] == world.accounts["org2.member"].id
    assert me.json()["organization_id"] == world.orgs["org2"].id
    for label in ("org1.member", "org2.member2", "org2.admin"):
        other_chat = await http.get(
            f"/api/chat/sessions/{world.chat[label]}", headers=_bearer(member_key)
        )
        assert_error(other_chat, 404)
    assert_error(await http.get("/api/organization/users", headers=_bearer(member_key)), 403)
    _, admin_key = world.api_keys["org2.admin"]
    users = await http.get("/api/organization/users", headers=_bearer(admin_key))
    assert users.status_code == 200, users.text
    assert {user["id"] for user in users.json()["items"]} == world.user_ids("org2")


async def test_api_key_created_by_a_user_is_bound_to_that_user(
    http: AsyncClient, world: World
) -> None:
    for label, account in world.accounts.items():
        _, key = world.api_keys[label]
        me = await http.get("/api/me", headers=_bearer(key))
        assert me.status_code == 200, me.text
        assert me.json()["id"] == account.id, label
        sessions = await http.get("/api/chat/sessions", headers=_bearer(key))
        assert [item["id"] for item in sessions.json()["items"]] == [world.chat[label]], label


# --- organizations, users, invites --------------------------------------------------------------


async def test_organization_endpoint_shows_only_the_callers_organization(
    http: AsyncClient, world: World
) -> None:
    for label, account in world.accounts.items():
        org = await http.get("/api/organization", headers=account.headers)
        assert org.status_code == 200, org.text
        assert org.json()["id"] == world.orgs[world.org_of(label)].id, label
        assert org.json()["name"] == world.org_names[world.org_of(label)], label


async def test_user_list_contains_only_users_of_the_admins_organization(
    http: AsyncClient, world: World
) -> None:
    for org in ("org1", "org2"):
        other = "org2" if org == "org1" else "org1"
        users = await http.get("/api/organization/users", headers=world.orgs[org].admin.headers)
        assert users.status_code == 200, users.text
        assert {user["id"] for user in users.json()["items"]} == world.user_ids(org)
        assert {user["email"] for user in users.json()["items"]} == world.emails(org)
        assert {user["organization_id"] for user in users.json()["items"]} == {world.orgs[org].id}
        assert not any(email in users.text for email in world.emails(other))


async def test_member_cannot_list_users(http: AsyncClient, world: World) -> None:
    for label in ("org1.member", "org1.member2", "org2.member", "org2.member2"):
        response = await http.get("/api/organization/users", headers=world.accounts[label].headers)
        body = assert_error(response, 403)
        assert "@" not in body["detail"], label


async def test_member_cannot_create_invites(http: AsyncClient, world: World) -> None:
    for label in ("org1.member", "org2.member2"):
        for role in ("member", "admin"):
            response = await http.post(
                "/api/organization/invites",
                json={"role": role},
                headers=world.accounts[label].headers,
            )
            assert_error(response, 403)


async def test_invite_joins_only_the_inviting_organization(http: AsyncClient, world: World) -> None:
    newcomer = await invite_member(http, world.orgs["org2"].admin)
    assert newcomer.org_id == world.orgs["org2"].id
    org1_users = await http.get("/api/organization/users", headers=world.orgs["org1"].admin.headers)
    assert newcomer.id not in org1_users.text and newcomer.email not in org1_users.text
    org2_users = await http.get("/api/organization/users", headers=world.orgs["org2"].admin.headers)
    assert newcomer.id in {user["id"] for user in org2_users.json()["items"]}


async def test_admin_cannot_patch_a_user_of_another_organization(
    http: AsyncClient, world: World
) -> None:
    org2_admin = world.orgs["org2"].admin
    missing = assert_error(
        await http.patch(
            f"/api/organization/users/{uuid.uuid4()}",
            json={"role": "admin"},
            headers=org2_admin.headers,
        ),
        404,
    )
    for label in world.labels_of("org1"):
        target = world.accounts[label]
        for change in ({"role": "admin"}, {"role": "member"}, {"is_active": False}, {}):
            response = await http.patch(
                f"/api/organization/users/{target.id}", json=change, headers=org2_admin.headers
            )
            assert assert_error(response, 404) == missing, (label, change)
            assert target.email not in response.text
    users = await http.get("/api/organization/users", headers=world.orgs["org1"].admin.headers)
    roles = {user["id"]: (user["role"], user["is_active"]) for user in users.json()["items"]}
    assert roles[world.accounts["org1.admin"].id] == ("admin", True)
    assert roles[world.accounts["org1.member"].id] == ("member", True)
    assert roles[world.accounts["org1.member2"].id] == ("member", True)
    for label in world.labels_of("org1"):
        me = await http.get("/api/me", headers=world.accounts[label].headers)
        assert me.status_code == 200, f"{label} lost access after another org's PATCH"


async def test_member_gets_the_same_403_for_any_user_patch_target(
    http: AsyncClient, world: World
) -> None:
    """The role check answers first, so a member learns nothing about which user ids exist."""
    member = world.accounts["org2.member"]
    targets = [
        world.accounts["org2.member2"].id,
        world.accounts["org2.admin"].id,
        world.accounts["org1.member"].id,
        str(uuid.uuid4()),
    ]
    bodies = []
    for target in targets:
        response = await http.patch(
            f"/api/organization/users/{target}", json={"role": "admin"}, headers=member.headers
        )
        bodies.append(assert_error(response, 403))
    assert all(body == bodies[0] for body in bodies), bodies
    me = await http.get("/api/me", headers=member.headers)
    assert me.json()["role"] == "member"


# --- groups ------------------------------------------------------------------------------------


async def test_group_list_contains_only_groups_of_the_callers_organization(
    http: AsyncClient, world: World
) -> None:
    for label, account in world.accounts.items():
        org = world.org_of(label)
        listed = await http.get("/api/groups", headers=account.headers)
        assert listed.status_code == 200, listed.text
        items = listed.json()["items"]
        assert [group["id"] for group in items] == [world.groups[org]], label
        members = {member for group in items for member in group["member_ids"]}
        assert members == {world.accounts[f"{org}.member"].id}, label


async def test_group_names_are_scoped_to_one_organization(http: AsyncClient, world: World) -> None:
    org1_admin, org2_admin = world.orgs["org1"].admin, world.orgs["org2"].admin
    only_in_org1 = f"Legal {uuid.uuid4().hex[:6]}"
    created = await http.post(
        "/api/groups", json={"name": only_in_org1}, headers=org1_admin.headers
    )
    assert created.status_code == 201, created.text
    same_name = await http.post(
        "/api/groups", json={"name": only_in_org1}, headers=org2_admin.headers
    )
    assert same_name.status_code == 201, "another organization's group name must not conflict"
    again = await http.post("/api/groups", json={"name": only_in_org1}, headers=org1_admin.headers)
    assert_error(again, 409)
    org2_groups = await http.get("/api/groups", headers=org2_admin.headers)
    assert created.json()["id"] not in org2_groups.text


async def test_member_cannot_create_groups(http: AsyncClient, world: World) -> None:
    for label in ("org1.member", "org2.member2"):
        response = await http.post(
            "/api/groups", json={"name": "Shadow"}, headers=world.accounts[label].headers
        )
        assert_error(response, 403)
    for org in ("org1", "org2"):
        listed = await http.get("/api/groups", headers=world.orgs[org].admin.headers)
        assert "Shadow" not in listed.text


async def test_admin_cannot_add_a_user_of_another_organization_to_own_group(
    http: AsyncClient, world: World
) -> None:
    org2_admin = world.orgs["org2"].admin
    missing = assert_error(
        await http.post(
            f"/api/groups/{world.groups['org2']}/members",
            json={"user_id": str(uuid.uuid4())},
            headers=org2_admin.headers,
        ),
        404,
    )
    for label in world.labels_of("org1"):
        response = await http.post(
            f"/api/groups/{world.groups['org2']}/members",
            json={"user_id": world.accounts[label].id},
            headers=org2_admin.headers,
        )
        assert assert_error(response, 404) == missing, label
    listed = await http.get("/api/groups", headers=org2_admin.headers)
    assert _group_members(listed, world.groups["org2"]) == {world.accounts["org2.member"].id}


async def test_admin_cannot_add_members_to_a_group_of_another_organization(
    http: AsyncClient, world: World
) -> None:
    org2_admin = world.orgs["org2"].admin
    missing = assert_error(
        await http.post(
            f"/api/groups/{uuid.uuid4()}/members",
            json={"user_id": world.accounts["org2.member2"].id},
            headers=org2_admin.headers,
        ),
        404,
    )
    for user_label in ("org2.member2", "org2.admin", "org1.member2", "org1.admin"):
        response = await http.post(
            f"/api/groups/{world.groups['org1']}/members",
            json={"user_id": world.accounts[user_label].id},
            headers=org2_admin.headers,
        )
        assert assert_error(response, 404) == missing, user_label
    listed = await http.get("/api/groups", headers=world.orgs["org1"].admin.headers)
    assert _group_members(listed, world.groups["org1"]) == {world.accounts["org1.member"].id}


async def test_admin_cannot_remove_members_from_a_group_of_another_organization(
    http: AsyncClient, world: World
) -> None:
    org2_admin = world.orgs["org2"].admin
    org1_member = world.accounts["org1.member"].id
    response = await http.delete(
        f"/api/groups/{world.groups['org1']}/members/{org1_member}", headers=org2_admin.headers
    )
    assert_error(response, 404)
    # An org-1 user is not a member of an org-2 group either, whatever the caller claims.
    response = await http.delete(
        f"/api/groups/{world.groups['org2']}/members/{org1_member}", headers=org2_admin.headers
    )
    assert_error(response, 404)
    listed = await http.get("/api/groups", headers=world.orgs["org1"].admin.headers)
    assert _group_members(listed, world.groups["org1"]) == {org1_member}


async def test_member_cannot_change_group_membership(http: AsyncClient, world: World) -> None:
    member = world.accounts["org1.member2"]
    group = world.groups["org1"]
    added = await http.post(
        f"/api/groups/{group}/members", json={"user_id": member.id}, headers=member.headers
    )
    assert_error(added, 403)
    removed = await http.delete(
        f"/api/groups/{group}/members/{world.accounts['org1.member'].id}", headers=member.headers
    )
    assert_error(removed, 403)
    listed = await http.get("/api/groups", headers=world.orgs["org1"].admin.headers)
    assert _group_members(listed, group) == {world.accounts["org1.member"].id}


# --- chat sessions -----------------------------------------------------------------------------


async def test_chat_session_list_contains_only_the_callers_own_sessions(
    http: AsyncClient, world: World
) -> None:
    for label, account in world.accounts.items():
        listed = await http.get("/api/chat/sessions", headers=account.headers)
        assert listed.status_code == 200, listed.text
        assert [item["id"] for item in listed.json()["items"]] == [world.chat[label]], label
        for other in world.others(label):
            assert world.chat_titles[other] not in listed.text, (label, other)


async def test_chat_session_of_another_user_cannot_be_read(http: AsyncClient, world: World) -> None:
    for owner in ("org1.member", "org2.admin"):
        for label in world.others(owner):
            response = await http.get(
                f"/api/chat/sessions/{world.chat[owner]}", headers=world.accounts[label].headers
            )
            assert_error(response, 404)
            assert world.chat_titles[owner] not in response.text


async def test_chat_session_of_another_user_cannot_be_renamed(
    http: AsyncClient, world: World
) -> None:
    owner = world.accounts["org1.member"]
    for label in world.others("org1.member"):
        response = await http.patch(
            f"/api/chat/sessions/{world.chat['org1.member']}",
            json={"title": f"renamed by {label}"},
            headers=world.accounts[label].headers,
        )
        assert_error(response, 404)
    mine = await http.get(f"/api/chat/sessions/{world.chat['org1.member']}", headers=owner.headers)
    assert mine.status_code == 200, mine.text
    assert mine.json()["title"] == world.chat_titles["org1.member"]


async def test_chat_session_of_another_user_cannot_be_deleted(
    http: AsyncClient, world: World
) -> None:
    owner = world.accounts["org1.member"]
    for label in world.others("org1.member"):
        response = await http.delete(
            f"/api/chat/sessions/{world.chat['org1.member']}", headers=world.accounts[label].headers
        )
        assert_error(response, 404)
    mine = await http.get(f"/api/chat/sessions/{world.chat['org1.member']}", headers=owner.headers)
    assert mine.status_code == 200, "the owner's session must survive others' delete attempts"


async def test_invisible_chat_session_answers_exactly_like_a_missing_one(
    http: AsyncClient, world: World
) -> None:
    prober = world.accounts["org2.member"]
    missing_id = str(uuid.uuid4())
    for method, body in (("GET", None), ("PATCH", {"title": "x"}), ("DELETE", None)):
        missing = await http.request(
            method, f"/api/chat/sessions/{missing_id}", json=body, headers=prober.headers
        )
        hidden = await http.request(
            method,
            f"/api/chat/sessions/{world.chat['org1.member']}",
            json=body,
            headers=prober.headers,
        )
        assert assert_error(hidden, 404) == assert_error(missing, 404), method


async def test_chat_sessions_created_by_a_user_are_owned_by_that_user(
    http: AsyncClient, world: World
) -> None:
    creator = world.accounts["org2.member2"]
    # Ownership comes from the credentials; ids smuggled into the body are ignored.
    smuggled = {
        "title": "fresh",
        "user_id": world.accounts["org1.member"].id,
        "organization_id": world.orgs["org1"].id,
    }
    created = await http.post("/api/chat/sessions", json=smuggled, headers=creator.headers)
    assert created.status_code == 201, created.text
    new_id = created.json()["id"]
    for label in world.others("org2.member2"):
        listed = await http.get("/api/chat/sessions", headers=world.accounts[label].headers)
        assert new_id not in listed.text, label
    listed = await http.get("/api/chat/sessions", headers=creator.headers)
    assert [item["id"] for item in listed.json()["items"]] == [new_id, world.chat["org2.member2"]]
    victim = await http.get(
        f"/api/chat/sessions/{new_id}", headers=world.accounts["org1.member"].headers
    )
    assert_error(victim, 404)


# --- cross-cutting -----------------------------------------------------------------------------


async def test_same_named_organization_is_a_separate_tenant(
    http: AsyncClient, world: World
) -> None:
    email = unique_email("lookalike")
    registered = await http.post(
        "/api/auth/register",
        json={"email": email, "password": PASSWORD, "organization_name": world.org_names["org1"]},
    )
    assert registered.status_code == 201, registered.text
    lookalike = _bearer(registered.json()["access_token"])
    assert registered.json()["user"]["organization_id"] != world.orgs["org1"].id
    users = await http.get("/api/organization/users", headers=lookalike)
    assert [user["email"] for user in users.json()["items"]] == [email]
    groups = await http.get("/api/groups", headers=lookalike)
    assert groups.json()["items"] == []
    sessions = await http.get("/api/chat/sessions", headers=lookalike)
    assert sessions.json()["items"] == []


async def test_users_of_one_organization_never_see_emails_of_the_other(
    http: AsyncClient, world: World
) -> None:
    for viewer_org, hidden_org in (("org2", "org1"), ("org1", "org2")):
        hidden = world.emails(hidden_org) | world.user_ids(hidden_org) | {world.orgs[hidden_org].id}
        hidden.add(world.org_names[hidden_org])
        for label in world.labels_of(viewer_org):
            headers = world.accounts[label].headers
            seen: list[Response] = [
                await http.get("/api/me", headers=headers),
                await http.get("/api/organization", headers=headers),
                await http.get("/api/organization/users", headers=headers),
                await http.get("/api/groups", headers=headers),
                await http.get("/api/api-keys", headers=headers),
                await http.get("/api/chat/sessions", headers=headers),
                await http.get(f"/api/chat/sessions/{world.chat[label]}", headers=headers),
                await http.get(
                    f"/api/chat/sessions/{world.chat[hidden_org + '.member']}", headers=headers
                ),
                await http.post(
                    f"/api/groups/{world.groups[viewer_org]}/members",
                    json={"user_id": world.accounts[hidden_org + ".member"].id},
                    headers=headers,
                ),
            ]
            for response in seen:
                text = response.text
                # The probe above sends a hidden user id itself; only an echo would be a leak.
                sent = response.request.content.decode()
                for secret in hidden:
                    if secret in sent:
                        continue
                    assert secret not in text, (label, response.request.url.path, secret)
