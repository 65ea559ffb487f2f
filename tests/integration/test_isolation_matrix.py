"""Isolation matrix generated from the OpenAPI document: operation x caller x visibility.

Three organizations. In the first, `owner` (a member) owns a document at each visibility
(private, shared with group G, organization-wide) with its file, a chat session and an API key;
the organization also has group G, a second group H and a spare member. The callers are the
owner, the admin, a member of G, a member of H only, an API key of the G member, a deactivated
member of G (its token and its API key), the admin and a G-named-group member of the second
organization, an admin API key of the third, and three without valid credentials (none, an
expired token of a live session, a logged-out token).

Every operation of the OpenAPI document with an id in its path must be listed in `TARGETS`
(what its id names and who may use it): a new endpoint fails `test_cell[UNMAPPED ...]` until
someone decides. Expectations (the API contract):
- no or bad credentials, or a deactivated account: 401 with the error shape;
- an invisible thing: the very answer a random id gets (status, body, header names), which is
  404, or the role gate's 403 for admin-only operations — nothing of the thing in body or headers;
- a visible thing the role may not change: 403; allowed: 2xx with the thing (download: its bytes).
Allowed cells of operations that change things act on a fresh resource of the same kind and
visibility, so the shared ones stay as they were (checked last). Searches, chat answers (SSE)
and lists of every caller show exactly the documents that caller may see, and never the text
of the others.
"""

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from httpx import AsyncClient, Response

from archivist.core.config import AuthSettings, Settings
from archivist.core.security import decode_token, issue_token
from archivist.core.state import AppState
from archivist.main import create_app
from tests.factories.accounts import PASSWORD, Account, invite_member, register_org
from tests.factories.documents import upload, upload_indexed
from tests.support import assert_error, open_client

pytestmark = pytest.mark.usefixtures("pipeline")

OPENAPI = create_app(Settings(auth=AuthSettings(jwt_secret="x" * 48))).openapi()
ALL_OPERATIONS = {
    f"{method.upper()} {path}": operation
    for path, methods in OPENAPI["paths"].items()
    for method, operation in methods.items()
}
ID_OPERATIONS = sorted(name for name in ALL_OPERATIONS if "{" in name)
SECURED = sorted(name for name, op in ALL_OPERATIONS.items() if op.get("security"))


@dataclass(frozen=True)
class Target:
    """What the path's ids name, and who may use the operation on it.

    access: "read" (whoever sees it), "write" (its owner or an admin, among those who see it),
    "owner" (its owner only: chat sessions, API keys), "admin" (admins of its organization;
    everyone else meets the role gate first).
    """

    kind: str
    access: str
    body: dict[str, Any] | None = None
    mutates: bool = False  # allowed cells act on a fresh resource


CHAT_QUESTION = "What do the quillfeather, marrowdale and tesselhorn ledgers say?"
TARGETS: dict[str, Target] = {
    "GET /api/documents/{document_id}": Target("document", "read"),
    "GET /api/documents/{document_id}/attempts": Target("document", "read"),
    "PATCH /api/documents/{document_id}": Target(
        "document", "write", {"title": "renamed by the matrix"}, mutates=True
    ),
    "DELETE /api/documents/{document_id}": Target("document", "write", mutates=True),
    "POST /api/documents/{document_id}/reindex": Target("document", "write", mutates=True),
    "GET /api/files/{file_id}/download": Target("document", "read"),
    "GET /api/chat/sessions/{session_id}": Target("chat", "owner"),
    "PATCH /api/chat/sessions/{session_id}": Target(
        "chat", "owner", {"title": "renamed by the matrix"}, mutates=True
    ),
    "DELETE /api/chat/sessions/{session_id}": Target("chat", "owner", mutates=True),
    "POST /api/chat/sessions/{session_id}/messages": Target(
        "chat", "owner", {"content": CHAT_QUESTION, "stream": True}, mutates=True
    ),
    "DELETE /api/api-keys/{key_id}": Target("api_key", "owner", mutates=True),
    # The spare member is already in G: adding them again changes nothing.
    "POST /api/groups/{group_id}/members": Target("group", "admin", {"user_id": "{spare}"}),
    "DELETE /api/groups/{group_id}/members/{user_id}": Target(
        "group_member", "admin", mutates=True
    ),
    "PATCH /api/organization/users/{user_id}": Target("user", "admin", {"role": "member"}),
    # Issuing a reset token changes no row: the user's password stays until it is redeemed.
    "POST /api/organization/users/{user_id}/password-reset": Target("user", "admin"),
    # One of the owner's other sign-ins, as listed by GET /api/me/sessions.
    "DELETE /api/me/sessions/{session_id}": Target("sign_in", "owner", mutates=True),
}
VISIBILITIES = {
    "document": ("private", "groups", "organization"),
    "chat": ("private",),
    "api_key": ("private",),
    "group": ("organization",),
    "group_member": ("organization",),
    "user": ("organization",),
    "sign_in": ("private",),
}


@dataclass(frozen=True)
class Caller:
    label: str
    org: str = "org1"
    in_g: bool = False
    admin: bool = False
    owner: bool = False
    authenticated: bool = True


CALLERS = [
    Caller("owner", in_g=True, owner=True),
    Caller("admin", admin=True),
    Caller("member", in_g=True),
    Caller("member-of-other-group"),
    Caller("api-key", in_g=True),
    Caller("deactivated", in_g=True, authenticated=False),
    Caller("api-key-of-deactivated", in_g=True, authenticated=False),
    Caller("admin-of-other-org", org="org2", admin=True),
    Caller("member-of-other-org", org="org2", in_g=True),
    Caller("api-key-of-third-org", org="org3", admin=True),
    Caller("no-credentials", authenticated=False),
    Caller("expired-token", authenticated=False),
    Caller("revoked-token", authenticated=False),
]
CALLER = {caller.label: caller for caller in CALLERS}
WORDS = {"private": "quillfeather", "groups": "marrowdale", "organization": "tesselhorn"}


def expected(target: Target, caller: Caller, visibility: str) -> tuple[int | None, bool]:
    """(status, visible): status None means allowed (2xx)."""
    if not caller.authenticated:
        return 401, False
    same_org = caller.org == "org1"
    if target.access == "admin":
        if not caller.admin:
            return 403, same_org
        return (None, True) if same_org else (404, False)
    if not same_org:
        return 404, False
    if target.access == "owner":
        return (None, True) if caller.owner else (404, False)
    sees = (
        caller.owner
        or caller.admin
        or visibility == "organization"
        or (visibility == "groups" and caller.in_g)
    )
    if not sees:
        return 404, False
    if target.access == "write" and not (caller.owner or caller.admin):
        return 403, True
    return None, True


@dataclass
class Doc:
    id: str
    file_id: str
    title: str
    filename: str
    content: bytes
    word: str

    @property
    def secrets(self) -> list[str]:
        return [self.title, self.filename, self.word, self.content.decode()]


@dataclass
class World:
    http: AsyncClient
    accounts: dict[str, Account]
    headers: dict[str, dict[str, str]]  # caller label -> headers
    org_ids: dict[str, str]
    group_g: str
    group_h: str
    spare: Account
    docs: dict[str, Doc]  # visibility -> document
    chat_id: str
    chat_title: str
    key_id: str
    key: str
    sign_in_id: str
    own_chat: dict[str, str] = field(default_factory=dict)  # caller -> their session

    def secrets(self, kind: str, visibility: str) -> list[str]:
        owner = self.accounts["owner"]
        common = [owner.email]
        if kind == "document":
            return common + self.docs[visibility].secrets
        if kind == "chat":
            return [*common, self.chat_title]
        if kind == "api_key":
            return [*common, self.key]
        if kind == "sign_in":
            return common
        return [self.spare.email]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _ok(response: Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, f"{response.request.url}: {response.text}"
    return response.json() if response.content else {}


async def _fresh_doc(world: World, visibility: str) -> Doc:
    word = WORDS[visibility]
    fields = {"visibility": visibility, "title": f"Disposable {visibility}"}
    if visibility == "groups":
        fields["group_ids"] = world.group_g
    # No code word: fresh documents must not crowd the shared ones out of searches and answers.
    content = f"Disposable scratch file {uuid.uuid4().hex}.".encode()
    response = await upload(
        world.http, world.accounts["owner"], f"disposable-{visibility}.txt", content, **fields
    )
    body = await _ok(response, 202)
    filename = f"disposable-{visibility}.txt"
    return Doc(body["document_id"], body["file_id"], fields["title"], filename, content, word)


@pytest.fixture(scope="module")
async def world(app_state: AppState) -> AsyncIterator[World]:
    async with open_client(app_state) as http:

        async def forget_cookies(_: Response) -> None:
            # Credentials are only what each cell sends: never the cookie of the last sign-in.
            http.cookies.clear()

        http.event_hooks["response"].append(forget_cookies)
        admin = await register_org(http, f"Matrix {uuid.uuid4().hex[:6]}")
        owner, member, other_group, api_key_user, deactivated, spare, revoked = [
            await invite_member(http, admin) for _ in range(7)
        ]
        other_admin = await register_org(http, f"Matrix other {uuid.uuid4().hex[:6]}")
        other_member = await invite_member(http, other_admin)
        third_admin = await register_org(http, f"Matrix third {uuid.uuid4().hex[:6]}")
        group_g = (
            await _ok(
                await http.post("/api/groups", json={"name": "G"}, headers=admin.headers), 201
            )
        )["id"]
        group_h = (
            await _ok(
                await http.post("/api/groups", json={"name": "H"}, headers=admin.headers), 201
            )
        )["id"]
        for user in (owner, member, api_key_user, deactivated, spare, revoked):
            await _ok(
                await http.post(
                    f"/api/groups/{group_g}/members",
                    json={"user_id": user.id},
                    headers=admin.headers,
                ),
                204,
            )
        await _ok(
            await http.post(
                f"/api/groups/{group_h}/members",
                json={"user_id": other_group.id},
                headers=admin.headers,
            ),
            204,
        )
        # The second organization has a group of the same name, holding its member.
        other_g = (
            await _ok(
                await http.post("/api/groups", json={"name": "G"}, headers=other_admin.headers), 201
            )
        )["id"]
        await _ok(
            await http.post(
                f"/api/groups/{other_g}/members",
                json={"user_id": other_member.id},
                headers=other_admin.headers,
            ),
            204,
        )
        docs: dict[str, Doc] = {}
        for visibility, word in WORDS.items():
            title = f"The {word} ledger ({visibility})"
            filename = f"{word}-{visibility}.txt"
            content = f"The {word} ledger records the vault code {word}-{visibility}-7731.".encode()
            fields = {"visibility": visibility, "title": title}
            if visibility == "groups":
                fields["group_ids"] = group_g
            document = await upload_indexed(http, owner, filename, content, **fields)
            docs[visibility] = Doc(
                document["id"], document["file_id"], title, filename, content, word
            )
        chat_title = f"owner's chat {uuid.uuid4().hex[:6]}"
        chat_id = (
            await _ok(
                await http.post(
                    "/api/chat/sessions", json={"title": chat_title}, headers=owner.headers
                ),
                201,
            )
        )["id"]
        key = await _ok(
            await http.post("/api/api-keys", json={"name": "owner key"}, headers=owner.headers), 201
        )
        member_key = await _ok(
            await http.post("/api/api-keys", json={"name": "k"}, headers=api_key_user.headers), 201
        )
        third_key = await _ok(
            await http.post("/api/api-keys", json={"name": "k"}, headers=third_admin.headers), 201
        )
        # A second session of `revoked`, then ended: only that token stops working.
        login = await _ok(
            await http.post("/api/auth/login", json={"email": revoked.email, "password": PASSWORD})
        )
        await _ok(await http.post("/api/auth/logout", headers=_bearer(login["access_token"])), 204)
        claims = decode_token(app_state.jwt_secret, member.token)
        assert claims is not None
        expired, _ = issue_token(
            app_state.jwt_secret, claims.user_id, claims.org_id, claims.session_id, -60
        )
        deactivated_token = deactivated.token
        # Deactivation ends sessions; an API key is refused by the membership check instead.
        deactivated_key = await _ok(
            await http.post("/api/api-keys", json={"name": "k"}, headers=deactivated.headers), 201
        )
        await _ok(
            await http.patch(
                f"/api/organization/users/{deactivated.id}",
                json={"is_active": False},
                headers=admin.headers,
            )
        )
        accounts = {
            "owner": owner,
            "admin": admin,
            "member": member,
            "member-of-other-group": other_group,
            "api-key": api_key_user,
            "deactivated": deactivated,
            "admin-of-other-org": other_admin,
            "member-of-other-org": other_member,
            "api-key-of-third-org": third_admin,
        }
        headers = {label: account.headers for label, account in accounts.items()}
        headers["api-key"] = _bearer(member_key["key"])
        headers["api-key-of-third-org"] = _bearer(third_key["key"])
        headers["deactivated"] = _bearer(deactivated_token)
        headers["api-key-of-deactivated"] = _bearer(deactivated_key["key"])
        headers["no-credentials"] = {}
        headers["expired-token"] = _bearer(expired)
        headers["revoked-token"] = _bearer(login["access_token"])
        world = World(
            http=http,
            accounts=accounts,
            headers=headers,
            org_ids={"org1": admin.org_id, "org2": other_admin.org_id, "org3": third_admin.org_id},
            group_g=group_g,
            group_h=group_h,
            spare=spare,
            docs=docs,
            chat_id=chat_id,
            chat_title=chat_title,
            key_id=key["id"],
            key=key["key"],
            sign_in_id=await _sign_in(http, owner),
        )
        for caller in CALLERS:
            if caller.authenticated:
                created = await http.post(
                    "/api/chat/sessions", json={"title": "mine"}, headers=headers[caller.label]
                )
                world.own_chat[caller.label] = (await _ok(created, 201))["id"]
        yield world


# --- the cells ---------------------------------------------------------------------------------


def _cells() -> list[Any]:
    cells = []
    for name in ID_OPERATIONS:
        target = TARGETS.get(name)
        if target is None:
            cells.append(pytest.param(name, "", "", id=f"UNMAPPED {name}"))
            continue
        for caller in CALLERS:
            for visibility in VISIBILITIES[target.kind]:
                cells.append(
                    pytest.param(
                        name, caller.label, visibility, id=f"{name} | {caller.label} | {visibility}"
                    )
                )
    return cells


CELLS = _cells()


async def _resource_ids(
    world: World, target: Target, visibility: str, fresh: bool
) -> dict[str, str]:
    """Path parameter -> id of the (shared or fresh) resource the cell acts on."""
    http, owner, admin = world.http, world.accounts["owner"], world.accounts["admin"]
    if target.kind == "document":
        doc = await _fresh_doc(world, visibility) if fresh else world.docs[visibility]
        return {"document_id": doc.id, "file_id": doc.file_id}
    if target.kind == "chat":
        if not fresh:
            return {"session_id": world.chat_id}
        created = await http.post(
            "/api/chat/sessions", json={"title": "fresh"}, headers=owner.headers
        )
        return {"session_id": (await _ok(created, 201))["id"]}
    if target.kind == "api_key":
        if not fresh:
            return {"key_id": world.key_id}
        created = await http.post("/api/api-keys", json={"name": "fresh"}, headers=owner.headers)
        return {"key_id": (await _ok(created, 201))["id"]}
    if target.kind == "group_member":
        user_id = world.spare.id
        if fresh:
            user_id = (await invite_member(http, admin)).id
            added = await http.post(
                f"/api/groups/{world.group_g}/members",
                json={"user_id": user_id},
                headers=admin.headers,
            )
            await _ok(added, 204)
        return {"group_id": world.group_g, "user_id": user_id}
    if target.kind == "group":
        return {"group_id": world.group_g}
    if target.kind == "sign_in":
        return {"session_id": await _new_sign_in(world) if fresh else world.sign_in_id}
    assert target.kind == "user", target
    return {"user_id": world.spare.id}


async def _new_sign_in(world: World) -> str:
    """Signs the owner in once more; the id under which the owner's session list shows it."""
    return await _sign_in(world.http, world.accounts["owner"])


async def _sign_in(http: AsyncClient, account: Account) -> str:
    async def listed() -> set[str]:
        sessions = await _ok(await http.get("/api/me/sessions", headers=account.headers))
        return {item["id"] for item in sessions["items"]}

    before = await listed()
    await _ok(
        await http.post("/api/auth/login", json={"email": account.email, "password": PASSWORD})
    )
    (new,) = await listed() - before
    return new


def _body(world: World, target: Target) -> dict[str, Any] | None:
    if target.body is None:
        return None
    return {k: (world.spare.id if v == "{spare}" else v) for k, v in target.body.items()}


async def _send(
    world: World, name: str, ids: dict[str, str], headers: dict[str, str], body: Any
) -> Response:
    method, path = name.split(" ", 1)
    return await world.http.request(method, path.format(**ids), json=body, headers=headers)


def _assert_nothing_of(response: Response, secrets: list[str], sent: str) -> None:
    for secret in secrets:
        if secret in sent:
            continue
        assert secret not in response.text, f"body leaks {secret!r}: {response.text}"
        for header, value in response.headers.items():
            assert secret not in value, f"header {header} leaks {secret!r}: {value}"


@pytest.mark.parametrize(("name", "label", "visibility"), CELLS)
async def test_cell(world: World, name: str, label: str, visibility: str) -> None:
    target = TARGETS.get(name)
    if target is None:
        pytest.fail(
            f"{name} takes an id in its path but the isolation matrix does not know what the id "
            "names: add it to TARGETS in tests/integration/test_isolation_matrix.py (its kind "
            "and who may use it: read / write / owner / admin)."
        )
    caller = CALLER[label]
    status, visible = expected(target, caller, visibility)
    ids = await _resource_ids(world, target, visibility, fresh=target.mutates and status is None)
    body = _body(world, target)
    response = await _send(world, name, ids, world.headers[label], body)
    sent = str(response.request.url) + response.request.content.decode()
    if status is None:
        await _assert_allowed(world, name, label, target, visibility, ids, response)
        return
    assert_error(response, status)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    assert "location" not in response.headers and "content-disposition" not in response.headers
    _assert_nothing_of(response, world.secrets(target.kind, visibility), sent)
    if status == 401 or visible:
        return
    # Invisible: indistinguishable from an id that never existed.
    missing = {key: str(uuid.uuid4()) for key in ids}
    twin = await _send(world, name, missing, world.headers[label], body)
    assert (twin.status_code, twin.json()) == (response.status_code, response.json())
    assert set(twin.headers) == set(response.headers)


async def _assert_allowed(
    world: World,
    name: str,
    label: str,
    target: Target,
    visibility: str,
    ids: dict[str, str],
    response: Response,
) -> None:
    assert 200 <= response.status_code < 300, f"{name}: {response.status_code} {response.text}"
    method = name.split(" ", 1)[0]
    if name == "GET /api/files/{file_id}/download":
        doc = world.docs[visibility]
        assert response.content == doc.content
        assert doc.filename in response.headers["content-disposition"]
    elif name.endswith("/messages"):
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [
            line[len("event: ") :]
            for line in response.text.splitlines()
            if line.startswith("event: ")
        ]
        assert events[0] == "sources" and events[-1] == "done", events
    elif method == "GET" and target.kind == "document" and "attempts" not in name:
        assert response.json()["id"] == ids["document_id"]
    elif method == "GET" and target.kind == "chat":
        assert response.json()["id"] == ids["session_id"]
    elif method == "DELETE":
        # Gone for whoever could reach it before.
        again = await _send(world, name, ids, world.headers[label], None)
        assert_error(again, 404)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_mapping_names_existing_operations(name: str) -> None:
    assert name in ALL_OPERATIONS, f"{name} is in TARGETS but no longer in the OpenAPI document"
    operation = ALL_OPERATIONS[name]
    admin_only = bool(operation.get("x-admin-only"))
    assert admin_only == (TARGETS[name].access == "admin"), (
        f"{name}: the OpenAPI says admin-only={admin_only}, TARGETS says {TARGETS[name].access}"
    )


# --- credentials on every secured operation ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "label"),
    [
        pytest.param(name, label, id=f"{name} | {label}")
        for name in SECURED
        for label in (
            "no-credentials",
            "expired-token",
            "revoked-token",
            "deactivated",
            "api-key-of-deactivated",
        )
    ],
)
async def test_secured_operation_refuses_bad_credentials(
    world: World, name: str, label: str
) -> None:
    ids = {
        key: str(uuid.uuid4())
        for key in ("document_id", "file_id", "session_id", "key_id", "group_id", "user_id")
    }
    response = await _send(world, name, ids, world.headers[label], {})
    assert_error(response, 401)


# --- what each caller finds ----------------------------------------------------------------------

READERS = [caller for caller in CALLERS if caller.authenticated]


def _visible_docs(caller: Caller) -> set[str]:
    read = Target("document", "read")
    return {v for v in WORDS if expected(read, caller, v)[0] is None}


@pytest.mark.parametrize("label", [c.label for c in READERS])
async def test_search_finds_exactly_the_visible_documents(world: World, label: str) -> None:
    caller = CALLER[label]
    visible = _visible_docs(caller)
    for visibility, word in WORDS.items():
        response = await world.http.post(
            "/api/search", json={"query": word}, headers=world.headers[label]
        )
        found = {r["document_id"] for r in (await _ok(response))["results"]}
        doc = world.docs[visibility]
        if visibility in visible:
            assert doc.id in found, (visibility, response.text)
        else:
            assert doc.id not in found
            _assert_nothing_of(response, [*doc.secrets, doc.id], word)


@pytest.mark.parametrize("label", [c.label for c in READERS])
async def test_document_list_shows_exactly_the_visible_documents(world: World, label: str) -> None:
    caller = CALLER[label]
    listed = await _ok(
        await world.http.get("/api/documents?limit=200", headers=world.headers[label])
    )
    ids = {item["id"] for item in listed["items"]}
    for visibility, doc in world.docs.items():
        assert (doc.id in ids) == (visibility in _visible_docs(caller)), visibility


@pytest.mark.parametrize("label", [c.label for c in READERS])
async def test_chat_answer_uses_exactly_the_visible_documents(world: World, label: str) -> None:
    caller = CALLER[label]
    visible = _visible_docs(caller)
    response = await world.http.post(
        f"/api/chat/sessions/{world.own_chat[label]}/messages",
        json={"content": CHAT_QUESTION, "stream": True},
        headers=world.headers[label],
    )
    assert response.status_code == 200, response.text
    events: list[tuple[str, Any]] = []
    name = ""
    for line in response.text.splitlines():
        if line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            events.append((name, json.loads(line[len("data: ") :])))
    assert events[0][0] == "sources" and events[-1][0] == "done", events
    cited = {source["document_id"] for source in events[0][1]}
    for visibility, doc in world.docs.items():
        if visibility in visible:
            assert doc.id in cited, (visibility, events[0][1])
        else:
            assert doc.id not in cited
            _assert_nothing_of(response, [*doc.secrets, doc.id], CHAT_QUESTION)


# --- afterwards --------------------------------------------------------------------------------


async def test_shared_resources_are_unchanged_after_the_matrix(world: World) -> None:
    """Runs last in the module: no refused call changed anything."""
    owner = world.accounts["owner"]
    for visibility, doc in world.docs.items():
        got = await _ok(await world.http.get(f"/api/documents/{doc.id}", headers=owner.headers))
        assert (got["title"], got["visibility"]) == (doc.title, visibility)
    chat = await _ok(
        await world.http.get(f"/api/chat/sessions/{world.chat_id}", headers=owner.headers)
    )
    assert chat["title"] == world.chat_title
    assert chat["messages"] == []
    me = await _ok(await world.http.get("/api/me", headers=_bearer(world.key)))
    assert me["id"] == owner.id
    groups = await _ok(await world.http.get("/api/groups", headers=world.accounts["admin"].headers))
    members = {g["id"]: set(g["member_ids"]) for g in groups["items"]}
    assert world.spare.id in members[world.group_g]
    assert owner.id in members[world.group_g]


def test_matrix_size() -> None:
    count = len([c for c in CELLS if not c.id.startswith("UNMAPPED")])
    assert count >= 300, count
