"""The shared async Redis client, and TLS for a `rediss://` URL."""

import ssl
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from archivist.core.config import Settings


def redis_tls(settings: Settings) -> dict[str, Any]:
    """TLS options in redis-py's (and so Celery's) terms; none unless the URL is `rediss://`."""
    if not settings.redis_url.startswith("rediss://"):
        return {}
    tls = settings.redis
    return {
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
        "ssl_ca_certs": tls.tls_ca_file or None,
        "ssl_certfile": tls.tls_cert_file or None,
        "ssl_keyfile": tls.tls_key_file or None,
    }


def create_redis(settings: Settings) -> "Redis":
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set (archivist up sets it for the embedded stack)")
    return Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        health_check_interval=30,
        **redis_tls(settings),
    )


async def eviction_warning(redis: "Redis") -> str | None:
    """Why Redis could lose sessions and queued tasks under memory pressure, if it could.

    Sign-in sessions (which have TTLs) and the task queue live in this Redis: only the
    `noeviction` policy keeps them; a full Redis then refuses writes, which users see as 503s.
    """
    try:
        policy = (await redis.info("memory")).get("maxmemory_policy")
    except ResponseError:  # some managed services disable INFO
        return None
    if policy in (None, "noeviction"):
        return None
    return (
        f"Redis maxmemory-policy is {policy!r}: when Redis fills up it may evict sign-in "
        "sessions and queued tasks. Set maxmemory-policy to noeviction on this Redis."
    )
