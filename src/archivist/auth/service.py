"""Accounts, sign-in, sessions, API keys and turning a request's credentials into a `Principal`."""

import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
    InvalidResetToken,
    InvalidToken,
    SessionNotFound,
    SessionRevoked,
    WrongCurrentPassword,
)
from archivist.auth.principal import Principal, Profile
from archivist.auth.repository import api_keys as api_key_repo
from archivist.auth.repository import users as user_repo
from archivist.auth.reset_store import reset_store
from archivist.auth.session_store import Client, public_id, session_store
from archivist.core import rate_limit
from archivist.core.config import AuthSettings, Settings
from archivist.core.db import set_lookup, set_tenant
from archivist.core.pagination import Page, cut, decode_cursor
from archivist.core.security import (
    decode_token,
    digest,
    hash_password,
    issue_token,
    password_turn,
    verify_password,
)
from archivist.models import ApiKey, User
from archivist.organizations.exceptions import UserNotFound
from archivist.organizations.service import organization

API_KEY_PREFIX = "ak_"
API_RATE_LIMITED = "API rate limit reached; slow down"


def _api_counter_key(user_id: uuid.UUID) -> str:
    """The user's request counter for the current minute (fixed window)."""
    return f"rl:api:{user_id}:{int(time.time() // 60)}"


@dataclass(frozen=True)
class Issued:
    response: schemas.TokenResponse
    session_id: str


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _email_failures_key(email: str) -> str:
    return f"rl:login-failures:email:{digest(email)}"


async def _count_password_attempt(redis: "Redis", auth: AuthSettings, email: str) -> str:
    """Count a password guess for `email` *before* checking it, so parallel guesses cannot
    outrun the limit; 429 once over it. Returns the key, to forgive the attempt if it succeeds.
    """
    key = _email_failures_key(email)
    await rate_limit.consume(
        redis,
        key,
        auth.login_failures_per_email,
        auth.login_failure_window_seconds,
        "Too many failed sign-ins for this account; wait before trying again",
    )
    return key


class AuthService:
    async def register(
        self,
        session: AsyncSession,
        redis: "Redis",
        settings: Settings,
        secret: str,
        data: schemas.RegisterRequest,
        client: Client,
    ) -> Issued:
        email = normalize_email(data.email)
        if not data.invite_token:
            # New organizations are throttled per address, counting failed attempts too; the
            # count comes first, so a parallel burst cannot outrun it.
            await rate_limit.consume(
                redis,
                f"rl:register:ip:{client.ip}",
                settings.auth.registrations_per_ip,
                settings.auth.registration_window_seconds,
                "Too many sign-ups from this address; wait before trying again",
            )
        # The turn comes before any database work: waiting for a password thread while holding
        # a connection would let a burst of sign-ups hold the whole pool.
        async with password_turn():
            invite = None
            if data.invite_token:
                # Checked before anything costly: only a valid, unused invite (handed out by
                # an admin, good once) gets as far as hashing a password.
                invite = await organization.open_invite(session, data.invite_token, email)
            password_hash = await hash_password(data.password)
        await set_lookup(session, "app.auth_email", email)
        if await user_repo.by_email(session, email) is not None:
            raise EmailTaken()
        user = User(id=uuid.uuid4(), email=email, password_hash=password_hash)
        await set_tenant(session, user.id, None)
        session.add(user)
        try:
            await session.flush()
        except IntegrityError as exc:  # a concurrent registration won the race
            raise EmailTaken() from exc
        if invite is not None:
            org_id = await organization.accept_invite(session, invite, user.id)
        else:
            assert data.organization_name is not None
            org_id = (await organization.create(session, data.organization_name, user.id)).id
        await set_lookup(session, "app.auth_email", "")
        await audit.record(session, org_id, user.id, "user.registered", "user", user.id)
        return await self._issue(session, redis, settings, secret, user.id, org_id, client)

    async def login(
        self,
        session: AsyncSession,
        redis: "Redis",
        settings: Settings,
        secret: str,
        data: schemas.LoginRequest,
        client: Client,
    ) -> Issued:
        email = normalize_email(data.email)
        auth = settings.auth
        # Every attempt is counted before its password is checked and forgiven only once it
        # succeeds: checking first and counting after would let a parallel burst through.
        email_key = await _count_password_attempt(redis, auth, email)
        # Per address only failures count, after the fact: a whole office behind one address
        # signing in at nine must not be refused. The per-account count above is what bounds
        # guesses at any one password.
        ip_key = f"rl:login-failures:ip:{client.ip}"
        await rate_limit.refuse_if_reached(
            redis,
            ip_key,
            auth.login_failures_per_ip,
            "Too many failed sign-ins from this address; wait before trying again",
        )
        async with password_turn():  # before the lookup takes a database connection
            await set_lookup(session, "app.auth_email", email)
            user = await user_repo.by_email(session, email)
            matches = await verify_password(user.password_hash if user else None, data.password)
        if not matches or user is None:
            await rate_limit.hit(redis, ip_key, auth.login_ip_window_seconds)
            raise InvalidCredentials()
        await rate_limit.forgive(redis, email_key)
        await set_lookup(session, "app.auth_email", "")
        await set_tenant(session, user.id, None)
        membership = await user_repo.membership(session, user.id)
        if membership is None or not membership.is_active:
            raise AccountDeactivated()
        return await self._issue(
            session, redis, settings, secret, user.id, membership.organization_id, client
        )

    async def _issue(
        self,
        session: AsyncSession,
        redis: "Redis",
        settings: Settings,
        secret: str,
        user_id: uuid.UUID,
        org_id: uuid.UUID,
        client: Client,
    ) -> Issued:
        await set_tenant(session, user_id, org_id)
        profile = await user_repo.profile(session, user_id)
        assert profile is not None
        ttl = settings.auth.token_ttl_seconds
        sid = await session_store.create(redis, user_id, org_id, ttl, client)
        token, _ = issue_token(secret, user_id, org_id, sid, ttl)
        return Issued(schemas.TokenResponse(user=profile, access_token=token, expires_in=ttl), sid)

    async def authenticate(
        self,
        session: AsyncSession,
        redis: "Redis",
        secret: str,
        credential: str,
        requests_per_minute: int,
    ) -> Principal:
        """Resolve a bearer token or API key, count the request against its user's per-minute
        limit (429 past it), and scope the transaction to the user (RLS).

        A token costs one Redis round trip (session check and count together) and one database
        round trip (RLS context, membership and profile together). Neither answer is cached in
        the process: a revoked session, a deactivated account or a removed membership is
        refused on the very next request, by every API process."""
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
            await rate_limit.consume(
                redis, _api_counter_key(user_id), requests_per_minute, 60, API_RATE_LIMITED
            )
        else:
            claims = decode_token(secret, credential)
            if claims is None or claims.expires_at <= time.time():
                raise InvalidToken()
            user_id, org_id, sid = claims.user_id, claims.org_id, claims.session_id
            counted = await session_store.touch_and_count(
                redis, sid, user_id, org_id, _api_counter_key(user_id), 60
            )
            if counted is None:
                raise SessionRevoked()
            count, reset = counted
            rate_limit.refuse_over(count, reset, requests_per_minute, API_RATE_LIMITED)
        member = await user_repo.authenticate(session, user_id, org_id)
        if member is None or not member.is_active or member.organization_id != org_id:
            raise AccountDeactivated()
        return Principal(
            user_id,
            org_id,
            member.role,
            session_id=sid,
            api_key_id=api_key_id,
            profile=Profile(member.email, member.organization_name, member.created_at),
        )

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

    async def change_password(
        self,
        session: AsyncSession,
        redis: "Redis",
        settings: Settings,
        principal: Principal,
        data: schemas.PasswordChange,
    ) -> None:
        """Set a new password; every other session of the user ends."""
        user = await user_repo.get(session, principal.user_id)
        if user is None:
            raise AccountDeactivated()
        # A stolen session must not become a way around the sign-in throttle.
        key = await _count_password_attempt(redis, settings.auth, user.email)
        if not await verify_password(user.password_hash, data.current_password):
            raise WrongCurrentPassword()
        await rate_limit.forgive(redis, key)
        user.password_hash = await hash_password(data.new_password)
        await session.flush()
        await session_store.revoke_all(redis, user.id, keep=principal.session_id)
        await audit.record(
            session, principal.org_id, principal.user_id, "user.password_changed", "user", user.id
        )

    async def issue_password_reset(
        self,
        session: AsyncSession,
        redis: "Redis",
        settings: Settings,
        principal: Principal,
        user_id: uuid.UUID,
    ) -> schemas.PasswordResetIssued:
        """A one-time token with which a user of the admin's organization sets a new password."""
        membership = await user_repo.membership(session, user_id)
        if membership is None or membership.organization_id != principal.org_id:
            raise UserNotFound()
        ttl = settings.auth.password_reset_ttl_seconds
        token = await reset_store.issue(redis, user_id, principal.org_id, ttl)
        await audit.record(
            session,
            principal.org_id,
            principal.user_id,
            "user.password_reset_issued",
            "user",
            user_id,
        )
        expires_at = datetime.now(UTC) + timedelta(seconds=ttl)
        return schemas.PasswordResetIssued(reset_token=token, expires_at=expires_at)

    async def reset_password(
        self, session: AsyncSession, redis: "Redis", data: schemas.PasswordReset
    ) -> None:
        """Redeem a reset token: new password, and every session of the user ends."""
        grant = await reset_store.take(redis, data.token)
        if grant is None:
            raise InvalidResetToken()
        await set_tenant(session, grant.user_id, grant.org_id)
        user = await user_repo.get(session, grant.user_id)
        membership = await user_repo.membership(session, grant.user_id)
        if user is None or membership is None or membership.organization_id != grant.org_id:
            raise InvalidResetToken()
        user.password_hash = await hash_password(data.new_password)
        await session.flush()
        await session_store.revoke_all(redis, user.id)
        # The admin vouched for this reset: earlier failed sign-ins no longer hold the user back.
        await redis.delete(_email_failures_key(user.email))
        await audit.record(session, grant.org_id, user.id, "user.password_reset", "user", user.id)

    async def list_sessions(
        self, redis: "Redis", principal: Principal
    ) -> Page[schemas.SignInSession]:
        stored = await session_store.list_for_user(redis, principal.user_id)
        items = [
            schemas.SignInSession(
                id=public_id(s.sid),
                created_at=datetime.fromtimestamp(s.created_at, UTC),
                last_used_at=datetime.fromtimestamp(s.last_activity_at, UTC),
                ip=s.ip or None,
                user_agent=s.user_agent or None,
                current=s.sid == principal.session_id,
            )
            for s in stored
        ]
        return Page(items=items, next_cursor=None)

    async def revoke_session(self, redis: "Redis", principal: Principal, session_id: str) -> None:
        for stored in await session_store.list_for_user(redis, principal.user_id):
            if public_id(stored.sid) == session_id:
                await session_store.revoke(redis, stored.sid)
                return
        raise SessionNotFound()

    async def me(self, session: AsyncSession, principal: Principal) -> schemas.User:
        if principal.profile is not None:  # read while authenticating, in this transaction
            return schemas.User(
                id=principal.user_id,
                email=principal.profile.email,
                organization_id=principal.org_id,
                organization_name=principal.profile.organization_name,
                role=principal.role,
                is_active=True,  # an inactive member is refused before this
                created_at=principal.profile.created_at,
            )
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
