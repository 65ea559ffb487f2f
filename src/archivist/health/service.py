"""Dependency checks behind /health and /ready."""

import asyncio
from datetime import UTC, datetime

from sqlalchemy import text

from archivist.core.state import AppState
from archivist.health.schemas import Health

CHECK_TIMEOUT_SECONDS = 2.0


class HealthService:
    async def check(self, state: AppState) -> Health:
        names = ("database", "redis", "object_store", "index")
        results = await asyncio.gather(
            self._database(state), self._redis(state), self._object_store(state), self._index(state)
        )
        services = dict(zip(names, results, strict=True))
        healthy = all(value == "ok" for value in services.values())
        return Health(
            status="healthy" if healthy else "unhealthy",
            timestamp=datetime.now(UTC),
            services=services,
        )

    def draining(self) -> Health:
        return Health(
            status="unhealthy", timestamp=datetime.now(UTC), services={"server": "draining"}
        )

    async def _guard(self, coro: "asyncio.Future[object] | object") -> str:
        try:
            await asyncio.wait_for(coro, CHECK_TIMEOUT_SECONDS)  # type: ignore[arg-type]
        except Exception as exc:
            return f"error: {type(exc).__name__}"
        return "ok"

    async def _database(self, state: AppState) -> str:
        async def probe() -> None:
            async with state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        return await self._guard(probe())

    async def _redis(self, state: AppState) -> str:
        return await self._guard(state.redis.ping())

    async def _object_store(self, state: AppState) -> str:
        return await self._guard(asyncio.to_thread(state.store.check))

    async def _index(self, state: AppState) -> str:
        async def probe() -> None:
            async with state.engine.connect() as conn:
                found = await conn.scalar(
                    text("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
                )
                if found is None:
                    raise LookupError("pgvector is not installed")

        return await self._guard(probe())


health = HealthService()
