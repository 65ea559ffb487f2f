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


async def check(redis: "Redis", key: str, limit: int, detail: str) -> None:
    """Refuse with 429 when `key` has already reached `limit` in its window."""
    async with redis.pipeline(transaction=False) as pipe:
        pipe.get(key)
        pipe.ttl(key)
        count, ttl = await pipe.execute()
    if count is not None and int(count) >= limit:
        raise RateLimited(max(1, int(ttl)), detail)


async def consume(redis: "Redis", key: str, limit: int, window_seconds: int, detail: str) -> None:
    count, reset = await hit(redis, key, window_seconds)
    if count > limit:
        raise RateLimited(reset, detail)
