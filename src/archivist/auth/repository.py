"""Every query about users, memberships and API keys."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from archivist.auth.schemas import User as UserOut
from archivist.core.pagination import keyset_after
from archivist.models import ApiKey, Membership, Organization, User


def profile_query() -> Select[User, Membership, Organization]:
    return (
        select(User, Membership, Organization)
        .join(Membership, Membership.user_id == User.id)
        .join(Organization, Organization.id == Membership.organization_id)
    )


def to_profile(user: User, membership: Membership, org: Organization) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        organization_id=org.id,
        organization_name=org.name,
        role=membership.role,
        is_active=membership.is_active,
        created_at=user.created_at,
    )


# Sets the row-level-security context and reads the membership and profile, in one round trip
# (migration 0009 says why it is a function).
AUTHENTICATE_SQL = text("SELECT * FROM app_authenticate(:user_id, :org_id)")


@dataclass(frozen=True)
class Member:
    """A user's membership with their profile, as `app_authenticate` returns it."""

    role: str
    is_active: bool
    organization_id: uuid.UUID
    email: str
    created_at: datetime
    organization_name: str


class UserRepository:
    async def authenticate(
        self, session: AsyncSession, user_id: uuid.UUID, org_id: uuid.UUID
    ) -> Member | None:
        """Scope the transaction to `user_id` in `org_id` (row-level security), then their
        membership as that context lets them see it; None without one."""
        result = await session.execute(AUTHENTICATE_SQL, {"user_id": user_id, "org_id": org_id})
        row = result.first()
        return Member(*row) if row else None

    async def get(self, session: AsyncSession, user_id: uuid.UUID) -> User | None:
        return await session.scalar(select(User).where(User.id == user_id))

    async def by_email(self, session: AsyncSession, email: str) -> User | None:
        return await session.scalar(select(User).where(User.email == email))

    async def membership(self, session: AsyncSession, user_id: uuid.UUID) -> Membership | None:
        return await session.scalar(select(Membership).where(Membership.user_id == user_id))

    async def profile(self, session: AsyncSession, user_id: uuid.UUID) -> UserOut | None:
        row = (await session.execute(profile_query().where(User.id == user_id))).first()
        return to_profile(row[0], row[1], row[2]) if row else None


class ApiKeyRepository:
    async def by_hash(self, session: AsyncSession, key_hash: str) -> ApiKey | None:
        return await session.scalar(
            select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
        )

    async def mark_used(self, session: AsyncSession, key_id: uuid.UUID) -> None:
        await session.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=datetime.now(UTC))
        )

    async def list_for_user(
        self,
        session: AsyncSession,
        user_id: uuid.UUID,
        limit: int,
        after: tuple[datetime, uuid.UUID] | None,
    ) -> list[ApiKey]:
        query = select(ApiKey).where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
        query = keyset_after(query, ApiKey.created_at, ApiKey.id, after).limit(limit)
        return list(await session.scalars(query))

    async def revoke(self, session: AsyncSession, user_id: uuid.UUID, key_id: uuid.UUID) -> bool:
        result = await session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id, ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
            .returning(ApiKey.id)
        )
        return result.first() is not None


users = UserRepository()
api_keys = ApiKeyRepository()
