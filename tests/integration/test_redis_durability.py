"""Sessions and queued tasks must survive a restart and never be evicted from Redis."""

import redis

from archivist.core.config import Settings
from archivist.core.redis import create_redis, eviction_warning
from archivist.embedded.services import EmbeddedServices


def test_embedded_redis_keeps_an_append_only_file_and_snapshots_and_never_evicts(
    services: EmbeddedServices,
) -> None:
    client = redis.Redis.from_url(services.redis_url, decode_responses=True)

    assert client.config_get("appendonly") == {"appendonly": "yes"}
    assert client.config_get("save") == {"save": "60 1"}
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}


async def test_a_redis_that_may_evict_is_reported_at_start(services: EmbeddedServices) -> None:
    admin = redis.Redis.from_url(services.redis_url, decode_responses=True)
    client = create_redis(Settings(redis_url=services.redis_url))
    try:
        assert await eviction_warning(client) is None

        admin.config_set("maxmemory-policy", "volatile-lru")
        warning = await eviction_warning(client)

        assert warning is not None
        assert "volatile-lru" in warning and "noeviction" in warning
    finally:
        admin.config_set("maxmemory-policy", "noeviction")
        await client.aclose()
