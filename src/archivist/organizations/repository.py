"""Every query about organizations, their members, invites and groups."""

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from archivist.auth.repository import profile_query, to_profile
from archivist.auth.schemas import User as UserOut
from archivist.core.pagination import keyset_after
from archivist.models import Group, GroupMember, Invite, Membership, Organization, User


class OrganizationRepository:
    async def get(self, session: AsyncSession, org_id: uuid.UUID) -> Organization | None:
        return await session.get(Organization, org_id)

    async def members(
        self,
        session: AsyncSession,
        org_id: uuid.UUID,
        limit: int,
        after: tuple[datetime, uuid.UUID] | None,
    ) -> list[UserOut]:
        query = profile_query().where(Membership.organization_id == org_id)
        query = keyset_after(query, User.created_at, User.id, after).limit(limit)
        return [
            to_profile(user, membership, org)
            for user, membership, org in await session.execute(query)
        ]

    async def lock(self, session: AsyncSession, org_id: uuid.UUID) -> bool:
        """Hold the organization's row until the transaction ends (serializes role changes).

        FOR NO KEY UPDATE: rows inserted meanwhile that reference the organization (their foreign
        key takes KEY SHARE) are not held up; only other holders of this lock wait.
        """
        locked = await session.scalar(
            select(Organization.id).where(Organization.id == org_id).with_for_update(key_share=True)
        )
        return locked is not None

    async def member(
        self, session: AsyncSession, org_id: uuid.UUID, user_id: uuid.UUID
    ) -> Membership | None:
        # populate_existing: after waiting for a lock, the row may have changed since the
        # session first loaded it (authentication loads the caller's own membership).
        return await session.scalar(
            select(Membership)
            .where(Membership.organization_id == org_id, Membership.user_id == user_id)
            .execution_options(populate_existing=True)
        )

    async def active_admin_count(
        self, session: AsyncSession, org_id: uuid.UUID, excluding: uuid.UUID | None = None
    ) -> int:
        query = select(func.count()).where(
            Membership.organization_id == org_id,
            Membership.role == "admin",
            Membership.is_active,
        )
        if excluding is not None:
            query = query.where(Membership.user_id != excluding)
        return int(await session.scalar(query) or 0)

    async def invite_by_hash(self, session: AsyncSession, token_hash: str) -> Invite | None:
        return await session.scalar(
            select(Invite).where(Invite.token_hash == token_hash).with_for_update()
        )


class GroupRepository:
    async def with_members(
        self,
        session: AsyncSession,
        org_id: uuid.UUID,
        limit: int,
        after: tuple[datetime, uuid.UUID] | None,
    ) -> list[tuple[Group, list[uuid.UUID]]]:
        query = select(Group).where(Group.organization_id == org_id)
        query = keyset_after(query, Group.created_at, Group.id, after).limit(limit)
        groups = list(await session.scalars(query))
        members: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        rows = await session.execute(
            select(GroupMember.group_id, GroupMember.user_id).where(
                GroupMember.group_id.in_([group.id for group in groups])
            )
        )
        for group_id, user_id in rows:
            members[group_id].append(user_id)
        return [(group, members[group.id]) for group in groups]

    async def get(
        self, session: AsyncSession, org_id: uuid.UUID, group_id: uuid.UUID
    ) -> Group | None:
        return await session.scalar(
            select(Group).where(Group.organization_id == org_id, Group.id == group_id)
        )

    async def by_name(self, session: AsyncSession, org_id: uuid.UUID, name: str) -> Group | None:
        return await session.scalar(
            select(Group).where(Group.organization_id == org_id, Group.name == name)
        )

    async def has_member(
        self, session: AsyncSession, group_id: uuid.UUID, user_id: uuid.UUID
    ) -> bool:
        return await session.get(GroupMember, (group_id, user_id)) is not None

    async def remove_member(
        self, session: AsyncSession, group_id: uuid.UUID, user_id: uuid.UUID
    ) -> bool:
        result = await session.execute(
            delete(GroupMember)
            .where(GroupMember.group_id == group_id, GroupMember.user_id == user_id)
            .returning(GroupMember.user_id)
        )
        return result.first() is not None


organizations = OrganizationRepository()
groups = GroupRepository()
