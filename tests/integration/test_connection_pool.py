"""Concurrent searches must not starve the connection pool, and a full pool answers 503 fast.

A hybrid search runs its semantic leg on a second connection. Taken from the request pool, a
burst of searches could each hold one connection and wait for another until the pool timed out.
"""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from archivist.core.config import DatabaseSettings, Settings
from archivist.core.state import AppState
from tests.factories.accounts import register_org
from tests.support import assert_error, open_client


@pytest.fixture
async def tiny_pool(settings: Settings) -> AsyncIterator[AppState]:
    """An API process whose request pool holds two connections and lets a request wait 1 s."""
    db = DatabaseSettings(pool_size=2, max_overflow=0, pool_timeout_seconds=1.0)
    state = AppState.create(settings.model_copy(update={"db": db}))
    yield state
    await state.close()


async def test_concurrent_hybrid_searches_do_not_wait_on_each_other(
    tiny_pool: AppState,
) -> None:
    async with open_client(tiny_pool) as client:
        account = await register_org(client, "Pool")

        async def search(i: int) -> int:
            response = await client.post(
                "/api/search", json={"query": f"question {i}"}, headers=account.headers
            )
            return response.status_code

        assert await search(0) == 200  # the query embedder is loaded
        # As many searches at once as the pool has connections: with both legs drawn from it,
        # each would hold one connection and wait for a second that never comes free.
        for round_ in range(5):
            statuses = await asyncio.gather(search(round_), search(round_ + 100))
            assert statuses == [200, 200]


async def test_exhausted_pool_answers_503_with_retry_after_quickly(tiny_pool: AppState) -> None:
    async with open_client(tiny_pool) as client:
        account = await register_org(client, "Busy")
        async with tiny_pool.engine.connect(), tiny_pool.engine.connect():  # every connection
            started = time.monotonic()
            response = await client.get("/api/me", headers=account.headers)
            waited = time.monotonic() - started
        assert_error(response, 503, "ServerBusy")
        assert response.headers["retry-after"].isdigit()
        assert waited < 3
        # Once connections are free again, the same request works.
        assert (await client.get("/api/me", headers=account.headers)).status_code == 200


@pytest.mark.parametrize("pre_ping", [True, False], ids=["pre-ping", "no-pre-ping"])
async def test_connection_ended_by_the_server_is_replaced_before_a_request_uses_it(
    settings: Settings, pre_ping: bool
) -> None:
    db = DatabaseSettings(pool_size=1, max_overflow=0, pool_pre_ping=pre_ping)
    state = AppState.create(settings.model_copy(update={"db": db}))
    try:
        async with open_client(state) as client:
            account = await register_org(client, f"Restart {pre_ping}")
            async with state.engine.connect() as conn:  # the pool's one connection
                pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            async with state.legs_engine.connect() as other:  # same role: it may end it
                await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                for _ in range(100):
                    gone = await other.scalar(
                        text("SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = :pid)"),
                        {"pid": pid},
                    )
                    if gone:
                        break
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.1)  # asyncpg reads the server's goodbye
            response = await client.get("/api/me", headers=account.headers)
            assert response.status_code == 200, response.text
            async with state.engine.connect() as conn:
                assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one() != pid
    finally:
        await state.close()


@pytest.mark.parametrize(("skip_seconds", "pinged"), [(0.0, True), (60.0, False)])
async def test_pre_ping_spares_a_connection_returned_within_the_window(
    settings: Settings, skip_seconds: float, pinged: bool
) -> None:
    db = DatabaseSettings(
        pool_size=1, max_overflow=0, pool_pre_ping=True, pool_pre_ping_skip_seconds=skip_seconds
    )
    state = AppState.create(settings.model_copy(update={"db": db}))
    try:
        async with state.engine.connect() as conn:  # returned with a ROLLBACK
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with state.engine.connect(), state.legs_engine.connect() as other:
            last = await other.scalar(
                text("SELECT query FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            )
        assert (last == "SELECT 1") is pinged, last
    finally:
        await state.close()
