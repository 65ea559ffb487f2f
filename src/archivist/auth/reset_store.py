"""One-time password-reset tokens in Redis, stored by their sha256 only, one live token per user."""

import secrets
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis

from archivist.core.security import digest


def _token_key(token_hash: str) -> str:
    return f"password-reset:{token_hash}"


def _user_key(user_id: uuid.UUID | str) -> str:
    return f"password-reset-user:{user_id}"


@dataclass(frozen=True)
class ResetGrant:
    user_id: uuid.UUID
    org_id: uuid.UUID


class ResetStore:
    async def issue(
        self, redis: "Redis", user_id: uuid.UUID, org_id: uuid.UUID, ttl_seconds: int
    ) -> str:
        """A new token for the user; any token issued before it stops working."""
        token = secrets.token_urlsafe(32)
        token_hash = digest(token)
        previous = await redis.get(_user_key(user_id))
        async with redis.pipeline(transaction=True) as pipe:
            if previous:
                pipe.delete(_token_key(str(previous)))
            pipe.set(_token_key(token_hash), f"{user_id}:{org_id}", ex=ttl_seconds)
            pipe.set(_user_key(user_id), token_hash, ex=ttl_seconds)
            await pipe.execute()
        return token

    async def take(self, redis: "Redis", token: str) -> ResetGrant | None:
        """The token's grant, consumed: of two concurrent calls only one gets it."""
        async with redis.pipeline(transaction=True) as pipe:
            pipe.get(_token_key(digest(token)))
            pipe.delete(_token_key(digest(token)))
            value, _ = await pipe.execute()
        if not value:
            return None
        user_id, _, org_id = str(value).partition(":")
        await redis.delete(_user_key(user_id))
        return ResetGrant(uuid.UUID(user_id), uuid.UUID(org_id))


reset_store = ResetStore()
