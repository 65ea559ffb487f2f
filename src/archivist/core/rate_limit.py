"""Fixed-window counters in Redis."""

from redis.asyncio import Redis

from archivist.core.errors import RateLimited


async def hit(redis: "Redis", key: str, window_seconds: int) -> tuple[int, int]:
    """Count one event in `key`'s window; returns (count, seconds until the window resets)."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(key, 0, ex=window_seconds, nx=True)  # opens the window (EXPIRE NX needs Redis 7)
        pipe.incr(key)
        pipe.ttl(key)
        _, count, ttl = await pipe.execute()
    return int(count), max(1, int(ttl))


async def consume(redis: "Redis", key: str, limit: int, window_seconds: int, detail: str) -> None:
    """Count one attempt, then refuse it with 429 if it is over `limit`. Counting comes first:
    a check followed by a later count would let a parallel burst through."""
    count, reset = await hit(redis, key, window_seconds)
    refuse_over(count, reset, limit, detail)


def refuse_over(count: int, reset: int, limit: int, detail: str) -> None:
    """429 for an event counted past `limit` (`reset`: seconds until its window resets)."""
    if count > limit:
        raise RateLimited(reset, detail)


async def refuse_if_reached(redis: "Redis", key: str, limit: int, detail: str) -> None:
    """Refuse with 429 once `key` has reached `limit`, without counting this request. Only for
    coarse limits on failures counted afterwards, where a parallel burst slipping past is
    acceptable; anything that bounds guesses counts first (`consume`)."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.get(key)
        pipe.ttl(key)
        count, ttl = await pipe.execute()
    if count is not None and int(count) >= limit:
        raise RateLimited(max(1, int(ttl)), detail)


# Lowers a live counter by one; never creates a key (a bare DECR would, without an expiry).
_FORGIVE = """
if redis.call('EXISTS', KEYS[1]) == 1 and tonumber(redis.call('GET', KEYS[1])) > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0
"""


async def forgive(redis: "Redis", key: str) -> None:
    """Take back one event counted by `hit` (an attempt that turned out legitimate)."""
    await redis.eval(_FORGIVE, 1, key)
