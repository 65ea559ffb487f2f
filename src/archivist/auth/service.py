"""Accounts, sign-in, sessions, API keys and turning a request's credentials into a `Principal`."""

import secrets
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from archivist.audit.service import audit
from archivist.auth import schemas
from archivist.auth.exceptions import (
    AccountDeactivated,
    ApiKeyNotFound,
    EmailTaken,
    InvalidCredentials,
    InvalidToken,
    SessionRevoked,
)
from archivist.auth.principal import Principal
from archivist.auth.repository import api_keys as api_key_repo
from archivist.auth.repository import users as user_repo
from archivist.auth.session_store import session_store
from archivist.core import rate_limit
from archivist.core.config import Settings
from archivist.core.db import set_lookup, set_tenant
from archivist.core.pagination import Page, cut, decode_cursor
from archivist.core.security import (
    decode_token,
    digest,
    hash_password,
    issue_token,
    verify_password,
)
from archivist.models import ApiKey, User
from archivist.organizations.service import organization

API_KEY_PREFIX = "ak_"


@dataclass(frozen=True)
class Issued:
    response: schemas.TokenResponse
    session_id: str


def normalize_email(email: str) -> str:
    return email.strip().lower()


class AuthService:
    async def register(
        self,
        session: AsyncSession,
        redis: "Redis",
        settings: Settings,
        secret: str,
        data: schemas.RegisterRequest,
    ) -> Issued:
        email = normalize_email(data.email)
        await set_lookup(session, "app.auth_email", email)
        if await user_repo.by_email(session, email) is not None:
            raise EmailTaken()
        user = User(id=uuid.uuid4(), email=email, password_hash=hash_password(data.password))
        await set_tenant(session, user.id, None)
        session.add(user)
        try:
            await session.flush()
        except IntegrityError as exc:  # a concurrent registration won the race
            raise EmailTaken() from exc
        if data.invite_token:
            org_id = await organization.accept_invite(session, data.invite_token, user.id, email)
        else:
            assert data.organization_name is not None
            org_id = (await organization.create(session, data.organization_name, user.id)).id
        await set_lookup(session, "app.auth_email", "")
        await audit.record(session, org_id, user.id, "user.registered", "user", user.id)
        return await self._issue(session, redis, settings, secret, user.id, org_id)

    async def login(
        self,
        session: AsyncSession,
        redis: "Redis",
        settings: Settings,
        secret: str,
        data: schemas.LoginRequest,
        client_ip: str,
    ) -> Issued:
        email = normalize_email(data.email)
        auth = settings.auth
        email_key = f"rl:login-failures:email:{digest(email)}"
        ip_key = f"rl:login-failures:ip:{client_ip}"
        await rate_limit.check(
            redis,
            email_key,
            auth.login_failures_per_email,
            "Too many failed sign-ins for this account; wait before trying again",
        )
        await rate_limit.check(
            redis,
            ip_key,
            auth.login_failures_per_ip,
            "Too many failed sign-ins from this address; wait before trying again",
        )
        await set_lookup(session, "app.auth_email", email)
        user = await user_repo.by_email(session, email)
        if not verify_password(user.password_hash if user else None, data.password) or user is None:
            await rate_limit.hit(redis, email_key, auth.login_failure_window_seconds)
            await rate_limit.hit(redis, ip_key, auth.login_ip_window_seconds)
            raise InvalidCredentials()
        await set_lookup(session, "app.auth_email", "")
        await set_tenant(session, user.id, None)
        membership = await user_repo.membership(session, user.id)
        if membership is None or not membership.is_active:
            raise AccountDeactivated()
        await redis.delete(email_key)
        return await self._issue(
            session, redis, settings, secret, user.id, membership.organization_id
        )

    async def _issue(
        self,
        session: AsyncSession,
        redis: "Redis",
        settings: Settings,
        secret: str,
        user_id: uuid.UUID,
        org_id: uuid.UUID,
    ) -> Issued:
        await set_tenant(session, user_id, org_id)
        profile = await user_repo.profile(session, user_id)
        assert profile is not None
        ttl = settings.auth.token_ttl_seconds
        sid = await session_store.create(redis, user_id, org_id, ttl)
        token, _ = issue_token(secret, user_id, org_id, sid, ttl)
        return Issued(schemas.TokenResponse(user=profile, access_token=token, expires_in=ttl), sid)

    async def authenticate(
        self, session: AsyncSession, redis: "Redis", secret: str, credential: str
    ) -> Principal:
        """Resolve a bearer token or API key, and scope the transaction to its user (RLS)."""
        api_key_id: uuid.UUID | None = None
        sid: str | None = None
        if credential.startswith(API_KEY_PREFIX):
            key_hash = digest(credential)
            await set_lookup(session, "app.api_key_hash", key_hash)
            key = await api_key_repo.by_hash(session, key_hash)
            if key is None:
                raise InvalidToken("Invalid or revoked API key")
            user_id, org_id, api_key_id = key.user_id, key.organization_id, key.id
            await api_key_repo.mark_used(session, key.id)
            await set_lookup(session, "app.api_key_hash", "")
        else:
            claims = decode_token(secret, credential)
            if claims is None or claims.expires_at <= time.time():
                raise InvalidToken()
            stored = await session_store.touch(redis, claims.session_id)
            if stored is None or stored.user_id != claims.user_id or stored.org_id != claims.org_id:
                raise SessionRevoked()
            user_id, org_id, sid = claims.user_id, claims.org_id, claims.session_id
        await set_tenant(session, user_id, org_id)
        membership = await user_repo.membership(session, user_id)
        if membership is None or not membership.is_active or membership.organization_id != org_id:
            raise AccountDeactivated()
        return Principal(user_id, org_id, membership.role, session_id=sid, api_key_id=api_key_id)

    async def principal_for_email(self, session: AsyncSession, email: str) -> Principal:
        """Act as an existing user without their password (operator tools on the server)."""
        await set_lookup(session, "app.auth_email", normalize_email(email))
        user = await user_repo.by_email(session, normalize_email(email))
        await set_lookup(session, "app.auth_email", "")
        if user is None:
            raise InvalidCredentials(f"No account with the email {email}")
        await set_tenant(session, user.id, None)
        membership = await user_repo.membership(session, user.id)
        if membership is None or not membership.is_active:
            raise AccountDeactivated()
        await set_tenant(session, user.id, membership.organization_id)
        return Principal(user.id, membership.organization_id, membership.role)

    async def logout(self, redis: "Redis", principal: Principal) -> None:
        if principal.session_id:
            await session_store.revoke(redis, principal.session_id)

    async def logout_all(self, redis: "Redis", principal: Principal) -> None:
        await session_store.revoke_all(redis, principal.user_id)

    async def me(self, session: AsyncSession, principal: Principal) -> schemas.User:
        profile = await user_repo.profile(session, principal.user_id)
        if profile is None:
            raise AccountDeactivated()
        return profile

    async def create_api_key(
        self, session: AsyncSession, principal: Principal, data: schemas.ApiKeyCreate
    ) -> schemas.ApiKeyCreated:
        key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKey(
            organization_id=principal.org_id,
            user_id=principal.user_id,
            name=data.name.strip(),
            key_hash=digest(key),
            prefix=key[:10],
        )
        session.add(row)
        await session.flush()
        await audit.record(
            session, principal.org_id, principal.user_id, "api_key.created", "api_key", row.id
        )
        return schemas.ApiKeyCreated(
            id=row.id, name=row.name, prefix=row.prefix, created_at=row.created_at, key=key
        )

    async def list_api_keys(
        self, session: AsyncSession, principal: Principal, limit: int, cursor: str | None
    ) -> Page[schemas.ApiKey]:
        after = decode_cursor(cursor) if cursor else None
        rows = await api_key_repo.list_for_user(session, principal.user_id, limit + 1, after)
        rows, next_cursor = cut(rows, limit, lambda key: (key.created_at, key.id))
        return Page(items=[schemas.ApiKey.model_validate(r) for r in rows], next_cursor=next_cursor)

    async def revoke_api_key(
        self, session: AsyncSession, principal: Principal, key_id: uuid.UUID
    ) -> None:
        if not await api_key_repo.revoke(session, principal.user_id, key_id):
            raise ApiKeyNotFound()
        await audit.record(
            session, principal.org_id, principal.user_id, "api_key.revoked", "api_key", key_id
        )


auth = AuthService()
