"""Login sessions in Redis: a token is only good while its `sid` lives here."""

import hashlib
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


def public_id(sid: str) -> str:
    """How a session is named to its user: the `sid` is part of their token, so it is not shown."""
    return hashlib.sha256(f"session:{sid}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class StoredSession:
    user_id: uuid.UUID
    org_id: uuid.UUID


@dataclass(frozen=True)
class Client:
    """Where a sign-in came from, kept with the session so its user can recognize it."""

    ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class SessionInfo:
    sid: str
    created_at: int
    last_activity_at: int
    ip: str
    user_agent: str


_TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSET', KEYS[1], 'last_activity_at', ARGV[1])
return redis.call('HMGET', KEYS[1], 'user_id', 'org_id')
"""


class SessionStore:
    async def create(
        self,
        redis: "Redis",
        user_id: uuid.UUID,
        org_id: uuid.UUID,
        ttl_seconds: int,
        client: Client | None = None,
    ) -> str:
        sid = secrets.token_urlsafe(24)
        now = int(time.time())
        client = client or Client()
        async with redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                _session_key(sid),
                mapping={
                    "user_id": str(user_id),
                    "org_id": str(org_id),
                    "created_at": now,
                    "last_activity_at": now,
                    "ip": client.ip[:64],
                    "user_agent": client.user_agent[:300],
                },
            )
            pipe.expire(_session_key(sid), ttl_seconds)
            pipe.sadd(_user_key(user_id), sid)
            pipe.expire(_user_key(user_id), ttl_seconds)
            pipe.zadd(ACTIVE_KEY, {sid: now + ttl_seconds})
            await pipe.execute()
        return sid

    async def touch(self, redis: "Redis", sid: str) -> StoredSession | None:
        """The live session for `sid` (last activity updated); None once revoked or expired.

        One round trip, on every authenticated request: a script reads the session and marks
        it used, and never recreates a session that has just expired."""
        found = await redis.eval(_TOUCH, 1, _session_key(sid), int(time.time()))
        if not found:
            return None
        user_id, org_id = found
        return StoredSession(uuid.UUID(str(user_id)), uuid.UUID(str(org_id)))

    async def revoke(self, redis: "Redis", sid: str) -> None:
        data = await redis.hgetall(_session_key(sid))
        async with redis.pipeline(transaction=True) as pipe:
            pipe.delete(_session_key(sid))
            pipe.zrem(ACTIVE_KEY, sid)
            if data:
                pipe.srem(_user_key(str(data["user_id"])), sid)
            await pipe.execute()

    async def revoke_all(self, redis: "Redis", user_id: uuid.UUID, keep: str | None = None) -> None:
        """End every session of the user, except `keep` (the caller's own) when given."""
        sids = await redis.smembers(_user_key(user_id))
        async with redis.pipeline(transaction=True) as pipe:
            for sid in map(str, sids):
                if sid == keep:
                    continue
                pipe.delete(_session_key(sid))
                pipe.zrem(ACTIVE_KEY, sid)
                pipe.srem(_user_key(user_id), sid)
            await pipe.execute()

    async def list_for_user(self, redis: "Redis", user_id: uuid.UUID) -> list[SessionInfo]:
        """The user's live sessions, most recently used first."""
        sids = sorted(map(str, await redis.smembers(_user_key(user_id))))
        async with redis.pipeline(transaction=False) as pipe:
            for sid in sids:
                pipe.hgetall(_session_key(sid))
            rows = await pipe.execute()
        live: list[SessionInfo] = []
        gone: list[str] = []
        for sid, data in zip(sids, rows, strict=True):
            if not data or str(data.get("user_id")) != str(user_id):
                gone.append(sid)
                continue
            live.append(
                SessionInfo(
                    sid=sid,
                    created_at=int(data.get("created_at", 0)),
                    last_activity_at=int(data.get("last_activity_at", 0)),
                    ip=str(data.get("ip", "")),
                    user_agent=str(data.get("user_agent", "")),
                )
            )
        if gone:  # expired on their own; the index of the user's sessions still named them
            await redis.srem(_user_key(user_id), *gone)
        live.sort(key=lambda s: (s.last_activity_at, s.created_at, s.sid), reverse=True)
        return live

    async def count_active(self, redis: "Redis") -> int:
        await redis.zremrangebyscore(ACTIVE_KEY, "-inf", time.time())
        return int(await redis.zcard(ACTIVE_KEY))


session_store = SessionStore()
