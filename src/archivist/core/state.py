"""Long-lived resources of one API process, created at start-up and closed at shutdown."""

from dataclasses import dataclass
from functools import cached_property

from celery import Celery
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from archivist.core.config import Settings
from archivist.core.db import create_async_db_engine
from archivist.core.redis import create_redis
from archivist.core.security import jwt_secret
from archivist.embedding.base import Embedder
from archivist.embedding.factory import create_query_embedder
from archivist.storage.base import ObjectStore
from archivist.storage.factory import create_object_store
from archivist.worker.celery_app import create_celery


@dataclass
class AppState:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # A request's second, concurrent transaction (a hybrid search's semantic leg) comes from a
    # pool of its own: a request holding a connection never waits on the pool it holds one of,
    # so concurrent searches cannot starve each other.
    legs_engine: AsyncEngine
    legs_sessionmaker: async_sessionmaker[AsyncSession]
    redis: "Redis"
    jwt_secret: str
    store: ObjectStore
    celery: Celery

    @classmethod
    def create(cls, settings: Settings) -> "AppState":
        engine = create_async_db_engine(settings)
        legs_engine = create_async_db_engine(settings)
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=async_sessionmaker(engine, expire_on_commit=False),
            legs_engine=legs_engine,
            legs_sessionmaker=async_sessionmaker(legs_engine, expire_on_commit=False),
            redis=create_redis(settings),
            jwt_secret=jwt_secret(settings),
            store=create_object_store(settings),
            celery=create_celery(settings),
        )

    @cached_property
    def embedder(self) -> Embedder:
        """The query embedder, loaded on first use (or by `warm_up` at start)."""
        return create_query_embedder(self.settings)

    async def close(self) -> None:
        await self.redis.aclose()
        await self.engine.dispose()
        await self.legs_engine.dispose()
