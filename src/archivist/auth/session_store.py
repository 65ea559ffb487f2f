"""Login sessions in Redis: a token is only good while its `sid` lives here."""

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

ACTIVE_KEY = "sessions:active"  # sorted set: sid -> expiry time, for the active-sessions gauge


def _session_key(sid: str) -> str:
    return f"session:{sid}"


def _user_key(user_id: uuid.UUID | str) -> str:
    return f"user-sessions:{user_id}"


def public_id(sid: str) -> str:
    """How a session is named to its user: the `sid` is part of their token, so it is not shown."""
    return hashlib.sha256(f"session:{sid}".encode()).hexdigest()[:32]


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


# KEYS: the session, the caller's rate-limit counter. ARGV: now, user id, org id, window seconds.
_TOUCH_AND_COUNT = """
local owner = redis.call('HMGET', KEYS[1], 'user_id', 'org_id')
if owner[1] ~= ARGV[2] or owner[2] ~= ARGV[3] then return false end
redis.call('HSET', KEYS[1], 'last_activity_at', ARGV[1])
redis.call('SET', KEYS[2], 0, 'EX', ARGV[4], 'NX')
local count = redis.call('INCR', KEYS[2])
return {count, redis.call('TTL', KEYS[2])}
"""
_TOUCH_AND_COUNT_SHA = hashlib.sha1(_TOUCH_AND_COUNT.encode()).hexdigest()


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

    async def touch_and_count(
        self,
        redis: "Redis",
        sid: str,
        user_id: uuid.UUID,
        org_id: uuid.UUID,
        counter_key: str,
        window_seconds: int,
    ) -> tuple[int, int] | None:
        """Mark the session used and count one request in `counter_key`'s fixed window (as
        `rate_limit.hit` does): (count, seconds until the window resets). None, counting
        nothing, once the session is revoked or expired, or if it is not `user_id`'s in
        `org_id`.

        One round trip for what every token-authenticated request needs from Redis: the
        session is read where it lives on every request (a revocation holds at once, in every
        API process), never recreated once expired."""
        keys_and_args = (
            _session_key(sid),
            counter_key,
            int(time.time()),
            str(user_id),
            str(org_id),
            window_seconds,
        )
        try:  # by its digest: the script's text need not travel with every request
            found = await redis.evalsha(_TOUCH_AND_COUNT_SHA, 2, *keys_and_args)
        except NoScriptError:  # a restarted or flushed Redis: EVAL caches it again
            found = await redis.eval(_TOUCH_AND_COUNT, 2, *keys_and_args)
        if not found:
            return None
        count, ttl = found
        return int(count), max(1, int(ttl))

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
