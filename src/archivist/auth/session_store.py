"""Login sessions in Redis: a token is only good while its `sid` lives here."""

import secrets
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis

ACTIVE_KEY = "sessions:active"  # sorted set: sid -> expiry time, for the active-sessions gauge


def _session_key(sid: str) -> str:
    return f"session:{sid}"


def _user_key(user_id: uuid.UUID | str) -> str:
    return f"user-sessions:{user_id}"


@dataclass(frozen=True)
class StoredSession:
    user_id: uuid.UUID
    org_id: uuid.UUID


class SessionStore:
    async def create(
        self, redis: "Redis", user_id: uuid.UUID, org_id: uuid.UUID, ttl_seconds: int
    ) -> str:
        sid = secrets.token_urlsafe(24)
        now = int(time.time())
        async with redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                _session_key(sid),
                mapping={
                    "user_id": str(user_id),
                    "org_id": str(org_id),
                    "created_at": now,
                    "last_activity_at": now,
                },
            )
            pipe.expire(_session_key(sid), ttl_seconds)
            pipe.sadd(_user_key(user_id), sid)
            pipe.expire(_user_key(user_id), ttl_seconds)
            pipe.zadd(ACTIVE_KEY, {sid: now + ttl_seconds})
            await pipe.execute()
        return sid

    async def touch(self, redis: "Redis", sid: str) -> StoredSession | None:
        """The live session for `sid` (last activity updated); None once revoked or expired."""
        key = _session_key(sid)
        data = await redis.hgetall(key)
        if not data:
            return None
        # hset on a key that expired between the two calls would resurrect it without a TTL.
        if await redis.exists(key):
            await redis.hset(key, "last_activity_at", int(time.time()))
        return StoredSession(uuid.UUID(str(data["user_id"])), uuid.UUID(str(data["org_id"])))

    async def revoke(self, redis: "Redis", sid: str) -> None:
        data = await redis.hgetall(_session_key(sid))
        async with redis.pipeline(transaction=True) as pipe:
            pipe.delete(_session_key(sid))
            pipe.zrem(ACTIVE_KEY, sid)
            if data:
                pipe.srem(_user_key(str(data["user_id"])), sid)
            await pipe.execute()

    async def revoke_all(self, redis: "Redis", user_id: uuid.UUID) -> None:
        sids = await redis.smembers(_user_key(user_id))
        async with redis.pipeline(transaction=True) as pipe:
            for sid in map(str, sids):
                pipe.delete(_session_key(sid))
                pipe.zrem(ACTIVE_KEY, sid)
            pipe.delete(_user_key(user_id))
            await pipe.execute()

    async def count_active(self, redis: "Redis") -> int:
        await redis.zremrangebyscore(ACTIVE_KEY, "-inf", time.time())
        return int(await redis.zcard(ACTIVE_KEY))


session_store = SessionStore()
