"""Organizations, their members, invites and groups."""

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from archivist.audit.service import audit
from archivist.auth.exceptions import InvalidInvite
from archivist.auth.principal import Principal
from archivist.auth.repository import users as user_repo
from archivist.auth.schemas import User as UserOut
from archivist.auth.session_store import session_store
from archivist.core.db import set_lookup, set_tenant
from archivist.core.errors import Forbidden, NotFound
from archivist.core.pagination import Page, cut, decode_cursor
from archivist.core.security import digest
from archivist.models import Group, GroupMember, Invite, Membership, Organization
from archivist.organizations import schemas
from archivist.organizations.exceptions import (
    GroupMemberNotFound,
    GroupNameTaken,
    GroupNotFound,
    LastAdmin,
    UserNotFound,
)
from archivist.organizations.repository import groups as group_repo
from archivist.organizations.repository import organizations as org_repo


class OrganizationService:
    async def create(self, session: AsyncSession, name: str, founder_id: uuid.UUID) -> Organization:
        """A new organization with `founder_id` as its first admin. The user row must exist."""
        org = Organization(id=uuid.uuid4(), name=name.strip())
        await set_tenant(session, founder_id, org.id)
        session.add(org)
        await session.flush()
        session.add(Membership(organization_id=org.id, user_id=founder_id, role="admin"))
        await session.flush()
        await audit.record(
            session, org.id, founder_id, "organization.created", "organization", org.id
        )
        return org

    async def open_invite(self, session: AsyncSession, token: str, email: str) -> Invite:
        """The invite for `token`, locked until the transaction ends, if `email` may use it now.

        Checked before the account is created, so a bad token costs no password hash.
        """
        await set_lookup(session, "app.invite_token_hash", digest(token))
        invite = await org_repo.invite_by_hash(session, digest(token))
        if (
            invite is None
            or invite.accepted_at is not None
            or invite.expires_at <= datetime.now(UTC)
            or (invite.email is not None and invite.email != email)
        ):
            raise InvalidInvite()
        return invite

    async def accept_invite(
        self, session: AsyncSession, invite: Invite, user_id: uuid.UUID
    ) -> uuid.UUID:
        """Join the invite's organization with the invite's role; returns the organization id."""
        await set_tenant(session, user_id, invite.organization_id)
        session.add(
            Membership(organization_id=invite.organization_id, user_id=user_id, role=invite.role)
        )
        # The membership goes in while the invite is still open: the database checks it
        # against the invite's role.
        await session.flush()
        invite.accepted_at = datetime.now(UTC)
        await session.flush()
        await set_lookup(session, "app.invite_token_hash", "")
        await audit.record(
            session, invite.organization_id, user_id, "invite.accepted", "invite", invite.id
        )
        return invite.organization_id

    async def get(self, session: AsyncSession, principal: Principal) -> Organization:
        org = await org_repo.get(session, principal.org_id)
        if org is None:
            raise NotFound("Organization not found")
        return org

    async def create_invite(
        self,
        session: AsyncSession,
        principal: Principal,
        data: schemas.InviteCreate,
        ttl_seconds: int,
    ) -> schemas.InviteCreated:
        token = secrets.token_urlsafe(32)
        expires_at = datetime.now(UTC) + timedelta(seconds=ttl_seconds)
        email = data.email.strip().lower() if data.email else None
        invite = Invite(
            organization_id=principal.org_id,
            token_hash=digest(token),
            email=email,
            role=data.role,
            created_by=principal.user_id,
            expires_at=expires_at,
        )
        session.add(invite)
        await session.flush()
        await audit.record(
            session,
            principal.org_id,
            principal.user_id,
            "invite.created",
            "invite",
            invite.id,
            role=data.role,
            email=email,
        )
        return schemas.InviteCreated(
            invite_token=token, expires_at=expires_at, email=email, role=data.role
        )

    async def list_users(
        self, session: AsyncSession, principal: Principal, limit: int, cursor: str | None
    ) -> Page[UserOut]:
        after = decode_cursor(cursor) if cursor else None
        rows = await org_repo.members(session, principal.org_id, limit + 1, after)
        items, next_cursor = cut(rows, limit, lambda user: (user.created_at, user.id))
        return Page(items=items, next_cursor=next_cursor)

    async def update_user(
        self,
        session: AsyncSession,
        redis: "Redis",
        principal: Principal,
        user_id: uuid.UUID,
        data: schemas.UserUpdate,
    ) -> UserOut:
        # Two admins demoting each other at once would each still see the other as admin:
        # changes to one organization's members take turns on its row.
        if not await org_repo.lock(session, principal.org_id):
            raise Forbidden("Only organization admins can do this")
        membership = await org_repo.member(session, principal.org_id, user_id)
        if membership is None:
            raise UserNotFound()
        stays_admin = (data.role or membership.role) == "admin" and (
            membership.is_active if data.is_active is None else data.is_active
        )
        if (
            not stays_admin
            and await org_repo.active_admin_count(session, principal.org_id, excluding=user_id) == 0
        ):
            raise LastAdmin()
        caller = await org_repo.member(session, principal.org_id, principal.user_id)
        if caller is None or caller.role != "admin" or not caller.is_active:
            raise Forbidden("Only organization admins can do this")  # demoted meanwhile
        if data.role is not None:
            membership.role = data.role
        if data.is_active is not None:
            membership.is_active = data.is_active
        await session.flush()
        if data.is_active is False:
            await session_store.revoke_all(redis, user_id)
        await audit.record(
            session,
            principal.org_id,
            principal.user_id,
            "user.updated",
            "user",
            user_id,
            **data.model_dump(exclude_none=True),
        )
        profile = await user_repo.profile(session, user_id)
        assert profile is not None
        return profile

    async def list_groups(
        self, session: AsyncSession, principal: Principal, limit: int, cursor: str | None
    ) -> Page[schemas.Group]:
        after = decode_cursor(cursor) if cursor else None
        rows = await group_repo.with_members(session, principal.org_id, limit + 1, after)
        rows, next_cursor = cut(rows, limit, lambda row: (row[0].created_at, row[0].id))
        items = [schemas.Group(id=g.id, name=g.name, member_ids=members) for g, members in rows]
        return Page(items=items, next_cursor=next_cursor)

    async def create_group(
        self, session: AsyncSession, principal: Principal, data: schemas.GroupCreate
    ) -> schemas.Group:
        name = data.name.strip()
        if await group_repo.by_name(session, principal.org_id, name):
            raise GroupNameTaken()
        group = Group(organization_id=principal.org_id, name=name)
        session.add(group)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise GroupNameTaken() from exc
        await audit.record(
            session, principal.org_id, principal.user_id, "group.created", "group", group.id
        )
        return schemas.Group(id=group.id, name=group.name, member_ids=[])

    async def add_group_member(
        self, session: AsyncSession, principal: Principal, group_id: uuid.UUID, user_id: uuid.UUID
    ) -> None:
        if await group_repo.get(session, principal.org_id, group_id) is None:
            raise GroupNotFound()
        if await org_repo.member(session, principal.org_id, user_id) is None:
            raise UserNotFound()
        if not await group_repo.has_member(session, group_id, user_id):
            session.add(
                GroupMember(group_id=group_id, user_id=user_id, organization_id=principal.org_id)
            )
            await session.flush()
        await audit.record(
            session,
            principal.org_id,
            principal.user_id,
            "group.member_added",
            "group",
            group_id,
            user_id=str(user_id),
        )

    async def remove_group_member(
        self, session: AsyncSession, principal: Principal, group_id: uuid.UUID, user_id: uuid.UUID
    ) -> None:
        if await group_repo.get(session, principal.org_id, group_id) is None:
            raise GroupNotFound()
        if not await group_repo.remove_member(session, group_id, user_id):
            raise GroupMemberNotFound()
        await audit.record(
            session,
            principal.org_id,
            principal.user_id,
            "group.member_removed",
            "group",
            group_id,
            user_id=str(user_id),
        )


organization = OrganizationService()
