"""The shared async Redis client."""

from redis.asyncio import Redis

from archivist.core.config import Settings


def create_redis(settings: Settings) -> "Redis":
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set (archivist up sets it for the embedded stack)")
    return Redis.from_url(settings.redis_url, decode_responses=True, health_check_interval=30)
