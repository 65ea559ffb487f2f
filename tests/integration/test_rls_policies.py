"""Row-level security, probed in the database itself as the application role.

Every query here has no WHERE clause of its own (or, for writes, one that names rows the caller
must not touch): whatever comes back is exactly what the policies (migration 0002, and 0003 for
ingestion_attempts) let through.
Two organizations: A with an admin and two members, B with an admin. Rows are written by their
owners under their own tenant context, as the application would.

Organization A: group G holds member m1, group G2 holds member m2. Its documents (each with a
file, one ingestion attempt and one chunk carrying a copy of the access list):
  a.m1.private, a.m2.private              private to their owner
  a.m2.organization                       everyone in A
  a.admin.groups_g / a.admin.groups_g2    shared with G / with G2
  a.admin.private_listing_g               private, although group_ids lists G
Organization B: b.admin.private, b.admin.organization, and b.admin.groups_of_a_group, shared with
"groups" but listing A's group G — the id of a group of another organization grants nothing.
"""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import (
    ColumnElement,
    NullPool,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from archivist.core.config import Settings
from archivist.core.db import Base, driver_url, set_tenant
from archivist.core.state import AppState
from archivist.models import (
    ApiKey,
    AuditEvent,
    ChatMessage,
    ChatSession,
    Chunk,
    Citation,
    Document,
    File,
    FilePurge,
    Group,
    GroupMember,
    IndexStat,
    IngestionAttempt,
    Invite,
    Membership,
    Organization,
    Posting,
    TermStat,
    User,
)
from tests.factories.accounts import make_org, unique_email
from tests.factories.rows import (
    ChatRows,
    DocumentRows,
    add_api_key,
    add_audit_event,
    add_chat,
    add_document,
    add_file,
    add_group,
    add_invite,
    as_tenant,
    embedding,
    random_hash,
)
from tests.support import open_client

RLS_REFUSED = "new row violates row-level security policy"

MODELS: dict[str, type[Base]] = {
    "organizations": Organization,
    "users": User,
    "memberships": Membership,
    "groups": Group,
    "group_members": GroupMember,
    "invites": Invite,
    "api_keys": ApiKey,
    "documents": Document,
    "files": File,
    "chunks": Chunk,
    "ingestion_attempts": IngestionAttempt,
    "chat_sessions": ChatSession,
    "chat_messages": ChatMessage,
    "citations": Citation,
    "audit_events": AuditEvent,
}
TENANT_TABLES = tuple(MODELS)
# Keyword index: written only by triggers on chunks; covered by their own tests below.
STATS_MODELS: dict[str, type[Base]] = {
    "term_stats": TermStat,
    "index_stats": IndexStat,
    "postings": Posting,
}
# Stored files awaiting their purge: written by tenants, read only by the purge task; below.
MAINTENANCE_MODELS: dict[str, type[Base]] = {"file_purges": FilePurge}

VIEWERS = ("a.admin", "a.m1", "a.m2", "b.admin")
A_DOCUMENTS = (
    "a.m1.private",
    "a.m2.private",
    "a.m2.organization",
    "a.admin.groups_g",
    "a.admin.groups_g2",
    "a.admin.private_listing_g",
)
B_DOCUMENTS = ("b.admin.private", "b.admin.organization", "b.admin.groups_of_a_group")
VISIBLE_DOCUMENTS = {
    "a.admin": set(A_DOCUMENTS),
    "a.m1": {"a.m1.private", "a.m2.organization", "a.admin.groups_g"},
    "a.m2": {"a.m2.private", "a.m2.organization", "a.admin.groups_g2"},
    "b.admin": set(B_DOCUMENTS),
}
# A document each user owns, for writes that need one.
OWN_DOCUMENT = {
    "a.admin": "a.admin.groups_g",
    "a.m1": "a.m1.private",
    "a.m2": "a.m2.private",
    "b.admin": "b.admin.private",
}


@dataclass
class World:
    orgs: dict[str, uuid.UUID]  # "a" / "b"
    users: dict[str, uuid.UUID]  # viewer label -> user id
    groups: dict[str, uuid.UUID]  # "a.g", "a.g2", "b.g"
    documents: dict[str, DocumentRows]
    orphan_file: uuid.UUID  # a.m2's file that no document points at
    chats: dict[str, ChatRows]  # viewer label -> the chat that user owns
    api_keys: dict[str, uuid.UUID]  # viewer label -> the key that user owns
    invites: dict[str, uuid.UUID]  # "a" / "b" -> an open invite made by the org's admin
    audit: dict[str, uuid.UUID]  # "a.admin", "a.m1", "a.m2", "b.admin" -> event

    def org_of(self, label: str) -> uuid.UUID:
        return self.orgs[label.split(".")[0]]

    def tenant(self, label: str) -> tuple[uuid.UUID, uuid.UUID]:
        return self.users[label], self.org_of(label)


@pytest.fixture(scope="module")
def sessionmaker(app_state: AppState) -> async_sessionmaker[AsyncSession]:
    return app_state.sessionmaker


@pytest.fixture(scope="module")
async def world(app_state: AppState, sessionmaker: async_sessionmaker[AsyncSession]) -> World:
    async with open_client(app_state) as http:
        org_a = await make_org(http, members=2, name="RLS A")
        org_b = await make_org(http, members=0, name="RLS B")
    orgs = {"a": uuid.UUID(org_a.id), "b": uuid.UUID(org_b.id)}
    users = {
        "a.admin": uuid.UUID(org_a.admin.id),
        "a.m1": uuid.UUID(org_a.members[0].id),
        "a.m2": uuid.UUID(org_a.members[1].id),
        "b.admin": uuid.UUID(org_b.admin.id),
    }

    def tenant(label: str) -> Any:
        return as_tenant(sessionmaker, users[label], orgs[label.split(".")[0]], commit=True)

    groups: dict[str, uuid.UUID] = {}
    async with tenant("a.admin") as session:
        groups["a.g"] = await add_group(session, orgs["a"], "G", [users["a.m1"]])
        groups["a.g2"] = await add_group(session, orgs["a"], "G2", [users["a.m2"]])
    async with tenant("b.admin") as session:
        groups["b.g"] = await add_group(session, orgs["b"], "G", [users["b.admin"]])

    specs: dict[str, tuple[str, list[uuid.UUID]]] = {
        "a.m1.private": ("private", []),
        "a.m2.private": ("private", []),
        "a.m2.organization": ("organization", []),
        "a.admin.groups_g": ("groups", [groups["a.g"]]),
        "a.admin.groups_g2": ("groups", [groups["a.g2"]]),
        "a.admin.private_listing_g": ("private", [groups["a.g"]]),
        "b.admin.private": ("private", []),
        "b.admin.organization": ("organization", []),
        "b.admin.groups_of_a_group": ("groups", [groups["a.g"]]),
    }
    documents: dict[str, DocumentRows] = {}
    for label, (visibility, group_ids) in specs.items():
        owner = label.rsplit(".", 1)[0]
        async with tenant(owner) as session:
            documents[label] = await add_document(
                session, orgs[owner[0]], users[owner], label, visibility, group_ids
            )
    async with tenant("a.m2") as session:
        orphan_file = await add_file(session, orgs["a"], users["a.m2"], "a.m2.orphan.txt")

    chats: dict[str, ChatRows] = {}
    api_keys: dict[str, uuid.UUID] = {}
    audit: dict[str, uuid.UUID] = {}
    for label in VIEWERS:
        org_id = orgs[label[0]]
        async with tenant(label) as session:
            cited = documents["b.admin.organization" if label[0] == "b" else "a.m2.organization"]
            chats[label] = await add_chat(session, org_id, users[label], cited, f"{label} chat")
            api_keys[label] = await add_api_key(session, org_id, users[label], f"{label} key")
            audit[label] = await add_audit_event(session, org_id, users[label], f"{label}.acted")
    invites: dict[str, uuid.UUID] = {}
    for org in ("a", "b"):
        async with tenant(f"{org}.admin") as session:
            invites[org] = await add_invite(session, orgs[org], users[f"{org}.admin"])
    return World(orgs, users, groups, documents, orphan_file, chats, api_keys, invites, audit)


async def seen(
    sessionmaker: async_sessionmaker[AsyncSession],
    world: World,
    viewer: str,
    *columns: Any,
) -> set[Any]:
    """What `viewer` gets back from `SELECT columns FROM table` — no WHERE clause."""
    async with as_tenant(sessionmaker, *world.tenant(viewer)) as session:
        rows = (await session.execute(select(*columns))).all()
    return {row[0] if len(row) == 1 else tuple(row) for row in rows}


def labels(ids: set[uuid.UUID], named: dict[str, uuid.UUID]) -> set[str]:
    """Map ids back to fixture labels; anything unknown shows up as itself, so leaks are legible."""
    by_id = {value: key for key, value in named.items()}
    return {by_id.get(row_id, f"unknown {row_id}") for row_id in ids}


def document_ids(world: World, part: str) -> dict[str, uuid.UUID]:
    return {label: getattr(rows, part) for label, rows in world.documents.items()}


async def documents_seen(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, viewer: str
) -> set[str]:
    ids = await seen(sessionmaker, world, viewer, Document.id)
    return labels(ids, document_ids(world, "document_id"))


# --- reads: each table returns only what its policy permits --------------------------------------


async def test_each_user_sees_only_their_own_organization(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    for viewer in VIEWERS:
        assert await seen(sessionmaker, world, viewer, Organization.id) == {world.org_of(viewer)}


async def test_users_see_only_users_of_their_own_organization(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    org_a_users = {world.users[label] for label in ("a.admin", "a.m1", "a.m2")}
    for viewer in ("a.admin", "a.m1", "a.m2"):
        assert await seen(sessionmaker, world, viewer, User.id) == org_a_users, viewer
    assert await seen(sessionmaker, world, "b.admin", User.id) == {world.users["b.admin"]}


async def test_memberships_of_other_organizations_are_invisible(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    org_a = {(world.users[label], world.orgs["a"]) for label in ("a.admin", "a.m1", "a.m2")}
    for viewer in ("a.admin", "a.m1", "a.m2"):
        memberships = await seen(
            sessionmaker, world, viewer, Membership.user_id, Membership.organization_id
        )
        assert memberships == org_a, viewer
    memberships = await seen(
        sessionmaker, world, "b.admin", Membership.user_id, Membership.organization_id
    )
    assert memberships == {(world.users["b.admin"], world.orgs["b"])}


async def test_groups_of_other_organizations_are_invisible(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    for viewer in ("a.admin", "a.m1", "a.m2"):
        assert labels(await seen(sessionmaker, world, viewer, Group.id), world.groups) == {
            "a.g",
            "a.g2",
        }, viewer
    assert labels(await seen(sessionmaker, world, "b.admin", Group.id), world.groups) == {"b.g"}


async def test_group_members_of_other_organizations_are_invisible(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    org_a = {
        (world.groups["a.g"], world.users["a.m1"]),
        (world.groups["a.g2"], world.users["a.m2"]),
    }
    for viewer in ("a.admin", "a.m1", "a.m2"):
        pairs = await seen(sessionmaker, world, viewer, GroupMember.group_id, GroupMember.user_id)
        assert pairs == org_a, viewer
    pairs = await seen(sessionmaker, world, "b.admin", GroupMember.group_id, GroupMember.user_id)
    assert pairs == {(world.groups["b.g"], world.users["b.admin"])}


async def test_invites_are_visible_to_admins_of_the_organization_only(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    invites = await seen(sessionmaker, world, "a.admin", Invite.id, Invite.organization_id)
    assert (world.invites["a"], world.orgs["a"]) in invites
    # The two invites the members joined with, and the open one.
    assert {org for _, org in invites} == {world.orgs["a"]} and len(invites) == 3
    for viewer in ("a.m1", "a.m2"):
        assert await seen(sessionmaker, world, viewer, Invite.id) == set(), viewer
    assert await seen(sessionmaker, world, "b.admin", Invite.id) == {world.invites["b"]}


async def test_api_keys_are_visible_to_their_owner_only(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    for viewer in VIEWERS:
        keys = await seen(sessionmaker, world, viewer, ApiKey.id)
        assert labels(keys, world.api_keys) == {viewer}, viewer


async def test_member_cannot_see_private_document_of_colleague(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    assert "a.m2.private" not in await documents_seen(sessionmaker, world, "a.m1")
    assert "a.m1.private" not in await documents_seen(sessionmaker, world, "a.m2")


async def test_owner_sees_own_private_document(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    assert "a.m1.private" in await documents_seen(sessionmaker, world, "a.m1")
    assert "a.m2.private" in await documents_seen(sessionmaker, world, "a.m2")


async def test_every_member_sees_documents_shared_with_the_organization(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    for viewer in ("a.admin", "a.m1", "a.m2"):
        assert "a.m2.organization" in await documents_seen(sessionmaker, world, viewer), viewer


async def test_member_sees_documents_shared_with_a_group_they_belong_to(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    assert "a.admin.groups_g" in await documents_seen(sessionmaker, world, "a.m1")
    assert "a.admin.groups_g2" in await documents_seen(sessionmaker, world, "a.m2")


async def test_member_cannot_see_documents_shared_with_a_group_they_are_not_in(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    assert "a.admin.groups_g2" not in await documents_seen(sessionmaker, world, "a.m1")
    assert "a.admin.groups_g" not in await documents_seen(sessionmaker, world, "a.m2")


async def test_group_ids_do_not_share_a_private_document(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    assert "a.admin.private_listing_g" not in await documents_seen(sessionmaker, world, "a.m1")


async def test_admin_sees_every_document_of_own_organization(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    assert await documents_seen(sessionmaker, world, "a.admin") == set(A_DOCUMENTS)
    assert await documents_seen(sessionmaker, world, "b.admin") == set(B_DOCUMENTS)


async def test_nobody_sees_documents_of_another_organization(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    for viewer in ("a.admin", "a.m1", "a.m2"):
        assert not await documents_seen(sessionmaker, world, viewer) & set(B_DOCUMENTS), viewer
    assert not await documents_seen(sessionmaker, world, "b.admin") & set(A_DOCUMENTS)


async def test_group_of_another_organization_listed_on_a_document_grants_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    """b.admin.groups_of_a_group lists A's group G, which holds a.m1."""
    assert "b.admin.groups_of_a_group" not in await documents_seen(sessionmaker, world, "a.m1")
    chunks = await seen(sessionmaker, world, "a.m1", Chunk.id)
    assert world.documents["b.admin.groups_of_a_group"].chunk_id not in chunks


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_documents_visible_to_each_user_are_exactly_those_the_access_list_permits(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, viewer: str
) -> None:
    assert await documents_seen(sessionmaker, world, viewer) == VISIBLE_DOCUMENTS[viewer]


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_chunks_visible_to_each_user_are_exactly_those_of_documents_they_may_see(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, viewer: str
) -> None:
    chunks = await seen(sessionmaker, world, viewer, Chunk.id)
    assert labels(chunks, document_ids(world, "chunk_id")) == VISIBLE_DOCUMENTS[viewer]


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_ingestion_attempts_are_visible_exactly_with_their_document(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, viewer: str
) -> None:
    attempts = await seen(sessionmaker, world, viewer, IngestionAttempt.id)
    assert labels(attempts, document_ids(world, "attempt_id")) == VISIBLE_DOCUMENTS[viewer]


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_files_visible_to_each_user_are_those_of_visible_documents_and_their_own(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, viewer: str
) -> None:
    named = document_ids(world, "file_id") | {"a.m2.orphan": world.orphan_file}
    expected = set(VISIBLE_DOCUMENTS[viewer])
    if viewer in ("a.admin", "a.m2"):
        expected.add("a.m2.orphan")
    assert labels(await seen(sessionmaker, world, viewer, File.id), named) == expected


async def test_member_cannot_file_a_document_over_a_colleagues_upload(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    """A document of one's own may not make somebody else's private upload readable."""
    target = world.documents["a.m2.private"].file_id
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        borrowed = insert(Document).values(
            organization_id=world.orgs["a"],
            owner_id=world.users["a.m1"],
            file_id=target,
            title="borrowed",
            visibility="organization",
        )
        await assert_refused(session, borrowed, "documents")


@pytest.mark.parametrize(
    ("model", "label"),
    [(ChatSession, "session_id"), (ChatMessage, "message_id"), (Citation, "citation_id")],
    ids=["chat_sessions", "chat_messages", "citations"],
)
async def test_chat_rows_are_visible_to_their_owner_only_not_even_to_an_admin(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, model: Any, label: str
) -> None:
    named = {viewer: getattr(chat, label) for viewer, chat in world.chats.items()}
    for viewer in VIEWERS:
        assert labels(await seen(sessionmaker, world, viewer, model.id), named) == {viewer}, viewer


async def test_audit_events_are_visible_to_admins_of_the_organization_and_to_their_actor(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    columns = (AuditEvent.id, AuditEvent.organization_id, AuditEvent.actor_id)
    admin_view = await seen(sessionmaker, world, "a.admin", *columns)
    assert {world.audit[label] for label in ("a.admin", "a.m1", "a.m2")} <= {
        event for event, _, _ in admin_view
    }
    assert {org for _, org, _ in admin_view} == {world.orgs["a"]}
    for viewer in ("a.m1", "a.m2"):
        own_view = await seen(sessionmaker, world, viewer, *columns)
        assert world.audit[viewer] in {event for event, _, _ in own_view}, viewer
        assert {(org, actor) for _, org, actor in own_view} == {
            (world.orgs["a"], world.users[viewer])
        }, viewer
    b_view = await seen(sessionmaker, world, "b.admin", *columns)
    assert world.audit["b.admin"] in {event for event, _, _ in b_view}
    assert {org for _, org, _ in b_view} == {world.orgs["b"]}


# --- writes: another organization's rows, and rows above one's role -----------------------------


def new_row(world: World, table: str, org: str, author: str) -> tuple[Any, dict[str, Any]]:
    """A fresh, otherwise valid row of `table` in organization `org`, written by `author`."""
    org_id, user_id = world.orgs[org], world.users[author]
    document = world.documents[OWN_DOCUMENT[author]]
    chat = world.chats[author]
    values: dict[str, dict[str, Any]] = {
        "organizations": {"id": uuid.uuid4(), "name": "Intruder"},
        "users": {"id": uuid.uuid4(), "email": unique_email("intruder"), "password_hash": "x"},
        "memberships": {"organization_id": org_id, "user_id": user_id, "role": "admin"},
        "groups": {"organization_id": org_id, "name": f"Intruders {uuid.uuid4().hex[:6]}"},
        "group_members": {
            "group_id": world.groups[f"{org}.g"],
            "user_id": user_id,
            "organization_id": org_id,
        },
        "invites": {
            "organization_id": org_id,
            "token_hash": random_hash(),
            "role": "admin",
            "created_by": user_id,
            "expires_at": datetime.now(UTC) + timedelta(days=1),
        },
        "api_keys": {
            "organization_id": org_id,
            "user_id": user_id,
            "name": "intruder",
            "key_hash": random_hash(),
            "prefix": "ak_test",
        },
        "documents": {
            "organization_id": org_id,
            "owner_id": user_id,
            "file_id": document.file_id,
            "title": "intruder",
        },
        "files": {
            "organization_id": org_id,
            "owner_id": user_id,
            "storage_key": "orgs/x/files/y/intruder.txt",
            "filename": "intruder.txt",
            "mime_type": "text/plain",
            "size_bytes": 1,
            "sha256": random_hash(),
        },
        "chunks": {
            "organization_id": org_id,
            "document_id": document.document_id,
            "owner_id": user_id,
            "visibility": "organization",
            "ord": 99,
            "text": "planted",
            "embedding": embedding(7),
        },
        "ingestion_attempts": {
            "organization_id": org_id,
            "document_id": document.document_id,
            "number": 99,
            "outcome": "running",
        },
        "chat_sessions": {"organization_id": org_id, "user_id": user_id, "title": "intruder"},
        "chat_messages": {
            "organization_id": org_id,
            "user_id": user_id,
            "session_id": chat.session_id,
            "role": "user",
            "content": "planted",
        },
        "citations": {
            "organization_id": org_id,
            "user_id": user_id,
            "message_id": chat.message_id,
            "n": 99,
            "document_id": document.document_id,
            "chunk_id": document.chunk_id,
            "title": "planted",
            "snippet": "planted",
        },
        "audit_events": {
            "organization_id": org_id,
            "actor_id": user_id,
            "action": "intruder.acted",
            "data": {},
        },
    }
    return MODELS[table], values[table]


async def assert_refused(session: AsyncSession, statement: Any, table: str) -> None:
    with pytest.raises(ProgrammingError, match=RLS_REFUSED) as refused:
        await session.execute(statement)
    assert f'table "{table}"' in str(refused.value)


@pytest.mark.parametrize("table", TENANT_TABLES)
async def test_insert_into_another_organization_is_refused(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, table: str
) -> None:
    """Org A's admin — the most privileged user of A — writes a row belonging to org B."""
    model, values = new_row(world, table, "b", "a.admin")
    async with as_tenant(sessionmaker, *world.tenant("a.admin")) as session:
        await assert_refused(session, insert(model).values(values), table)


def org_filter(world: World, table: str, org: str) -> ColumnElement[bool]:
    if table == "organizations":
        return Organization.id == world.orgs[org]
    if table == "users":
        return User.id.in_([uid for label, uid in world.users.items() if label[0] == org])
    return MODELS[table].organization_id == world.orgs[org]


@pytest.mark.parametrize("table", TENANT_TABLES)
async def test_update_and_delete_of_another_organizations_rows_affect_no_rows(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, table: str
) -> None:
    model, where = MODELS[table], org_filter(world, table, "b")
    async with as_tenant(sessionmaker, *world.tenant("b.admin")) as session:
        present = await session.scalar(select(func.count()).select_from(model).where(where))
    assert present, f"org B has no {table} rows to attack; the probe would prove nothing"
    column = {"organizations": Organization.name, "users": User.email}.get(table)
    if column is None:
        column = model.organization_id
    touch = {column: column}
    async with as_tenant(sessionmaker, *world.tenant("a.admin")) as session:
        updated = await session.execute(update(model).where(where).values(touch))
        deleted = await session.execute(delete(model).where(where))
        assert (updated.rowcount, deleted.rowcount) == (0, 0)


# table -> (who updates, how many rows of A that user may update). No WHERE clause on purpose:
# with one, PostgreSQL also holds the new row to the SELECT policy, which would hide a missing
# or weak WITH CHECK on the UPDATE policy itself.
MOVABLE: dict[str, tuple[str, int]] = {
    "memberships": ("a.admin", 3),
    "groups": ("a.admin", 2),
    "group_members": ("a.admin", 2),
    "invites": ("a.admin", 3),
    "api_keys": ("a.m1", 1),
    "documents": ("a.m1", 1),
    "chunks": ("a.m1", 1),
    "ingestion_attempts": ("a.m1", 1),
    "chat_sessions": ("a.m1", 1),
    "chat_messages": ("a.m1", 1),
    "citations": ("a.m1", 1),
}


@pytest.mark.parametrize("table", MOVABLE)
async def test_row_cannot_be_moved_into_another_organization(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, table: str
) -> None:
    writer, writable = MOVABLE[table]
    model = MODELS[table]
    async with as_tenant(sessionmaker, *world.tenant(writer)) as session:
        stay = await session.execute(update(model).values(organization_id=world.orgs["a"]))
        assert stay.rowcount == writable, f"{writer} should be allowed to update these rows"
    async with as_tenant(sessionmaker, *world.tenant(writer)) as session:
        move = update(model).values(organization_id=world.orgs["b"])
        await assert_refused(session, move, table)


async def test_member_cannot_promote_themselves(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        promoted = await session.execute(
            update(Membership).where(Membership.user_id == world.users["a.m1"]).values(role="admin")
        )
        assert promoted.rowcount == 0
        role = await session.scalar(
            select(Membership.role).where(Membership.user_id == world.users["a.m1"])
        )
        assert role == "member"


async def test_member_cannot_change_a_colleagues_membership(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        demoted = await session.execute(update(Membership).values(is_active=False, role="member"))
        assert demoted.rowcount == 0


async def test_admin_can_change_a_members_role(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    """The counterpart of the refusals above: the policy lets the right person through."""
    async with as_tenant(sessionmaker, *world.tenant("a.admin")) as session:
        promoted = await session.execute(
            update(Membership).where(Membership.user_id == world.users["a.m1"]).values(role="admin")
        )
        assert promoted.rowcount == 1


async def test_member_cannot_create_a_membership_for_someone_else(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    newcomer = uuid.uuid4()
    async with as_tenant(sessionmaker, newcomer, None) as session:
        await session.execute(
            insert(User).values(id=newcomer, email=unique_email("newcomer"), password_hash="x")
        )
        await set_tenant(session, world.users["a.m1"], world.orgs["a"])
        join = insert(Membership).values(
            organization_id=world.orgs["a"], user_id=newcomer, role="admin"
        )
        await assert_refused(session, join, "memberships")


async def test_member_cannot_create_groups(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        group = insert(Group).values(organization_id=world.orgs["a"], name="Shadow")
        await assert_refused(session, group, "groups")


async def test_member_cannot_add_themselves_to_a_group(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        joined = insert(GroupMember).values(
            group_id=world.groups["a.g2"],
            user_id=world.users["a.m1"],
            organization_id=world.orgs["a"],
        )
        await assert_refused(session, joined, "group_members")


async def test_member_cannot_change_or_remove_groups(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        renamed = await session.execute(update(Group).values(name=Group.name + " (mine)"))
        left = await session.execute(delete(GroupMember))
        removed = await session.execute(delete(Group))
        assert (renamed.rowcount, left.rowcount, removed.rowcount) == (0, 0, 0)


async def test_member_cannot_create_invites(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    _, values = new_row(world, "invites", "a", "a.m1")
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        await assert_refused(session, insert(Invite).values(values), "invites")


async def test_member_cannot_insert_a_document_owned_by_someone_else(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    _, values = new_row(world, "documents", "a", "a.m2")
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        await assert_refused(session, insert(Document).values(values), "documents")


async def test_member_cannot_insert_a_file_owned_by_someone_else(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    _, values = new_row(world, "files", "a", "a.m2")
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        await assert_refused(session, insert(File).values(values), "files")


@pytest.mark.parametrize("target", ["a.m2.private", "a.m2.organization"])
async def test_member_cannot_add_chunks_to_a_colleagues_document(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, target: str
) -> None:
    """Whether or not the member can read the document, only its owner (or an admin) writes it."""
    _, values = new_row(world, "chunks", "a", "a.m1")
    values["document_id"] = world.documents[target].document_id
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        await assert_refused(session, insert(Chunk).values(values), "chunks")


async def test_member_cannot_record_ingestion_attempts_of_a_colleagues_document(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    _, values = new_row(world, "ingestion_attempts", "a", "a.m1")
    values["document_id"] = world.documents["a.m2.organization"].document_id
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        insert_attempt = insert(IngestionAttempt).values(values)
        await assert_refused(session, insert_attempt, "ingestion_attempts")
        await session.rollback()
        await set_tenant(session, *world.tenant("a.m1"))
        rewritten = await session.execute(update(IngestionAttempt).values(error="planted"))
        assert rewritten.rowcount == 1, "only the attempt on a.m1's own document"


async def test_deactivated_admin_has_no_admin_rights(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with as_tenant(sessionmaker, *world.tenant("a.admin")) as session:
        demoted = await session.execute(
            update(Membership)
            .where(Membership.user_id == world.users["a.m1"])
            .values(role="admin", is_active=False)
        )
        assert demoted.rowcount == 1
        await set_tenant(session, *world.tenant("a.m1"))
        documents = set(await session.scalars(select(Document.id)))
        assert labels(documents, document_ids(world, "document_id")) == VISIBLE_DOCUMENTS["a.m1"]
        assert set(await session.scalars(select(Invite.id))) == set()


async def test_admin_rights_do_not_carry_into_another_organization(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    """A tenant context naming org B (the app sets one only after checking the membership)
    still gives A's admin no admin rights there: app_is_admin() is about the current org."""
    async with as_tenant(sessionmaker, world.users["a.admin"], world.orgs["b"]) as session:
        documents = set(await session.scalars(select(Document.id)))
        assert documents == {world.documents["b.admin.organization"].document_id}
        assert set(await session.scalars(select(Invite.id))) == set()
        assert set(await session.scalars(select(AuditEvent.id))) == set()
        group = insert(Group).values(organization_id=world.orgs["b"], name="Annexed")
        await assert_refused(session, group, "groups")


async def test_member_cannot_change_or_delete_a_colleagues_document_they_can_read(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    shared = world.documents["a.m2.organization"]
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        assert (
            await session.scalar(
                select(func.count()).select_from(Document).where(Document.id == shared.document_id)
            )
            == 1
        )
        results = [
            await session.execute(
                update(Document).where(Document.id == shared.document_id).values(title="mine")
            ),
            await session.execute(
                update(Chunk).where(Chunk.id == shared.chunk_id).values(text="mine")
            ),
            await session.execute(delete(Chunk).where(Chunk.id == shared.chunk_id)),
            await session.execute(delete(Document).where(Document.id == shared.document_id)),
            await session.execute(delete(File).where(File.id == shared.file_id)),
        ]
        assert [result.rowcount for result in results] == [0] * len(results)


@pytest.mark.parametrize("writer", ["a.m1", "a.admin"])
async def test_document_cannot_be_pointed_at_another_owner_or_their_file(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, writer: str
) -> None:
    own = world.documents[OWN_DOCUMENT[writer]]
    colleague = world.documents["a.m2.private"]
    for change in (
        {"owner_id": world.users["a.m2"]},
        {"file_id": colleague.file_id},
    ):
        async with as_tenant(sessionmaker, *world.tenant(writer)) as session:
            statement = update(Document).where(Document.id == own.document_id).values(**change)
            await assert_refused(session, statement, "documents")


async def test_admin_can_change_any_document_of_own_organization(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with as_tenant(sessionmaker, *world.tenant("a.admin")) as session:
        changed = await session.execute(update(Document).values(title=Document.title))
        assert changed.rowcount == len(A_DOCUMENTS)


async def test_member_cannot_transfer_own_api_key_to_another_user(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    """Re-binding one's key to the admin would make every request with it an admin's.

    No WHERE clause on purpose: with one, PostgreSQL also holds the new row to the SELECT policy,
    which would hide a missing check in the UPDATE policy itself.
    """
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        transfer = update(ApiKey).values(user_id=world.users["a.admin"])
        await assert_refused(session, transfer, "api_keys")


async def test_api_keys_of_others_cannot_be_revoked_or_deleted_even_by_an_admin(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with as_tenant(sessionmaker, *world.tenant("a.admin")) as session:
        revoked = await session.execute(update(ApiKey).values(revoked_at=func.now()))
        deleted = await session.execute(delete(ApiKey))
        # An admin is no exception: only the admin's own key is touched.
        assert (revoked.rowcount, deleted.rowcount) == (1, 1)
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        revoked = await session.execute(
            update(ApiKey).where(ApiKey.id == world.api_keys["a.m2"]).values(revoked_at=func.now())
        )
        assert revoked.rowcount == 0


async def test_admin_cannot_change_or_delete_a_members_chat(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with as_tenant(sessionmaker, *world.tenant("a.admin")) as session:
        results = [
            await session.execute(update(ChatSession).values(title="read by admin")),
            await session.execute(update(ChatMessage).values(content="rewritten")),
            await session.execute(delete(Citation)),
            await session.execute(delete(ChatMessage)),
            await session.execute(delete(ChatSession)),
        ]
        # One of each: the admin's own chat, nobody else's.
        assert [result.rowcount for result in results] == [1] * len(results)


async def test_member_cannot_write_into_a_colleagues_chat_as_the_colleague(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    _, values = new_row(world, "chat_messages", "a", "a.m2")
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        await assert_refused(session, insert(ChatMessage).values(values), "chat_messages")


async def test_audit_events_cannot_be_changed_or_deleted_even_by_an_admin(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with as_tenant(sessionmaker, *world.tenant("a.admin")) as session:
        assert await session.scalar(select(func.count()).select_from(AuditEvent))
        rewritten = await session.execute(update(AuditEvent).values(action="nothing.happened"))
        erased = await session.execute(delete(AuditEvent))
        assert (rewritten.rowcount, erased.rowcount) == (0, 0)


# --- no tenant at all ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def fresh_sessionmaker(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """App-role sessions on brand-new connections, where the settings were never defined."""
    engine = create_async_engine(driver_url(settings.database_url, "asyncpg"), poolclass=NullPool)
    yield async_sessionmaker(engine)
    await engine.dispose()


@pytest.mark.parametrize("table", TENANT_TABLES)
async def test_without_a_tenant_every_table_is_empty(
    sessionmaker: async_sessionmaker[AsyncSession],
    fresh_sessionmaker: async_sessionmaker[AsyncSession],
    world: World,
    table: str,
) -> None:
    count = text(f"SELECT count(*) FROM {table}")  # the names are constants
    async with fresh_sessionmaker() as session:
        never_set = await session.scalar(
            text("SELECT current_setting('app.user_id', true) IS NULL")
        )
        assert never_set, "a fresh connection should not have app.user_id defined"
        assert await session.scalar(count) == 0
    # Reused pooled connections, after a reset, hold '' rather than NULL; that is nobody too.
    async with as_tenant(sessionmaker, None, None) as session:
        assert await session.scalar(text("SELECT current_setting('app.user_id', true)")) == ""
        assert await session.scalar(count) == 0
    async with as_tenant(sessionmaker, *world.tenant("a.admin")) as session:
        assert await session.scalar(count), f"{table} is empty anyway; the probe proves nothing"


@pytest.mark.parametrize("table", TENANT_TABLES)
async def test_without_a_tenant_nothing_can_be_inserted(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, table: str
) -> None:
    model, values = new_row(world, table, "a", "a.admin")
    async with as_tenant(sessionmaker, None, None) as session:
        await assert_refused(session, insert(model).values(values), table)


# --- the catalog: the guard cannot be bypassed or forgotten ---------------------------------------


async def test_app_role_is_neither_superuser_nor_exempt_from_row_level_security(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    async with sessionmaker() as session:
        row = (
            await session.execute(
                text(
                    "SELECT current_user, rolsuper, rolbypassrls, rolcreaterole"
                    " FROM pg_roles WHERE rolname = current_user"
                )
            )
        ).one()
    assert row.current_user == settings.db.app_role
    assert (row.rolsuper, row.rolbypassrls, row.rolcreaterole) == (False, False, False)


async def test_app_role_neither_owns_nor_can_act_as_owner_of_any_table(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        rows = (
            await session.execute(
                text(
                    "SELECT tablename, tableowner, pg_has_role(current_user, tableowner, 'MEMBER')"
                    " AS acts_as_owner FROM pg_tables WHERE schemaname = 'public'"
                )
            )
        ).all()
        current_user = await session.scalar(text("SELECT current_user"))
    assert {row.tablename for row in rows} >= set(TENANT_TABLES)
    assert [row.tablename for row in rows if row.tableowner == current_user] == []
    assert [row.tablename for row in rows if row.acts_as_owner] == []


PUBLIC_RELATIONS = text(
    "SELECT c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'm', 'f')"
    " AND c.relname <> 'alembic_version'"
)


async def test_every_table_has_row_level_security_enabled_and_forced(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        relations = (await session.execute(PUBLIC_RELATIONS)).all()
    assert relations, "no tables found; the check would pass vacuously"
    unguarded = [
        row.relname for row in relations if not (row.relrowsecurity and row.relforcerowsecurity)
    ]
    assert unguarded == [], f"tables without ENABLE + FORCE ROW LEVEL SECURITY: {unguarded}"


async def test_every_table_is_covered_by_these_tests(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        tables = {row.relname for row in (await session.execute(PUBLIC_RELATIONS)).all()}
    assert tables == set(TENANT_TABLES) | set(STATS_MODELS) | set(MAINTENANCE_MODELS), (
        "a table was added or removed: give it policies in a migration and cover it here"
    )


async def test_chunk_access_list_must_match_its_document(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    """An owner cannot plant a chunk that claims wider visibility than its document has."""
    _, values = new_row(world, "chunks", "a", "a.m1")
    values["document_id"] = world.documents["a.m1.private"].document_id
    values.update(owner_id=world.users["a.m1"], visibility="organization", group_ids=[])
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        await assert_refused(session, insert(Chunk).values(values), "chunks")
        await session.rollback()
        await set_tenant(session, *world.tenant("a.m1"))
        widen = update(Chunk).values(visibility="organization")
        await assert_refused(session, widen, "chunks")


async def test_audit_entries_cannot_be_written_in_someone_elses_name(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        forged = insert(AuditEvent).values(
            organization_id=world.orgs["a"],
            actor_id=world.users["a.admin"],
            action="forged",
            data={},
        )
        await assert_refused(session, forged, "audit_events")


@pytest.mark.parametrize("table", list(STATS_MODELS))
async def test_index_statistics_belong_to_their_organization(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, table: str
) -> None:
    model = STATS_MODELS[table]
    for viewer in ("a.m1", "b.admin"):
        async with as_tenant(sessionmaker, *world.tenant(viewer)) as session:
            orgs = set(await session.scalars(select(model.organization_id)))  # type: ignore[attr-defined]
            assert orgs == {world.orgs[viewer[0]]}, (table, viewer)
    async with as_tenant(sessionmaker, None, None) as session:
        assert list(await session.scalars(select(model))) == []
    values: dict[str, object] = {
        "term_stats": {"organization_id": world.orgs["b"], "term": "planted", "df": 99},
        "index_stats": {"organization_id": world.orgs["b"], "chunk_count": 1, "token_count": 1},
        "postings": {
            "organization_id": world.orgs["b"],
            "term": "planted",
            "chunk_id": uuid.uuid4(),
            "tf": 1,
            "length": 1,
        },
    }[table]
    async with as_tenant(sessionmaker, *world.tenant("a.admin")) as session:
        await assert_refused(session, insert(model).values(values), table)
        await session.rollback()
        await set_tenant(session, *world.tenant("a.admin"))
        changed = await session.execute(
            update(model)
            .where(model.organization_id == world.orgs["b"])
            .values(organization_id=world.orgs["b"])  # type: ignore[attr-defined]
        )
        assert changed.rowcount == 0


# --- file purges: tenants record them, only the purge task reads or removes them -----------------


def purge_row(org_id: uuid.UUID) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "organization_id": org_id,
        "storage_key": f"orgs/{org_id}/files/{uuid.uuid4()}/x.txt",
        "purge_after": datetime.now(UTC) - timedelta(days=1),
    }


async def test_file_purges_are_recorded_in_ones_own_organization_only(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    async with as_tenant(sessionmaker, *world.tenant("a.m1")) as session:
        await session.execute(insert(FilePurge).values(purge_row(world.orgs["a"])))
    async with as_tenant(sessionmaker, *world.tenant("a.admin")) as session:
        await assert_refused(
            session, insert(FilePurge).values(purge_row(world.orgs["b"])), "file_purges"
        )
    async with as_tenant(sessionmaker, None, None) as session:
        await assert_refused(
            session, insert(FilePurge).values(purge_row(world.orgs["a"])), "file_purges"
        )


async def test_file_purges_are_invisible_and_untouchable_to_every_tenant(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> None:
    row = purge_row(world.orgs["a"])
    async with as_tenant(sessionmaker, *world.tenant("a.admin"), commit=True) as session:
        await session.execute(insert(FilePurge).values(row))
    try:
        for viewer in VIEWERS:
            async with as_tenant(sessionmaker, *world.tenant(viewer)) as session:
                assert await session.scalar(select(func.count()).select_from(FilePurge)) == 0
                deleted = await session.execute(delete(FilePurge).where(FilePurge.id == row["id"]))
                assert deleted.rowcount == 0  # type: ignore[attr-defined]
        async with as_tenant(sessionmaker, None, None) as session:
            await session.execute(text("SELECT set_config('app.maintenance', 'purger', true)"))
            assert await session.scalar(select(FilePurge.id).where(FilePurge.id == row["id"]))
            with pytest.raises(ProgrammingError, match=RLS_REFUSED):
                await session.execute(
                    update(FilePurge).where(FilePurge.id == row["id"]).values(storage_key="../x")
                )
    finally:
        async with as_tenant(sessionmaker, None, None, commit=True) as session:
            await session.execute(text("SELECT set_config('app.maintenance', 'purger', true)"))
            await session.execute(delete(FilePurge).where(FilePurge.id == row["id"]))
