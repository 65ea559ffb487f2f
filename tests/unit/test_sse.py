"""The SSE stream of an answer: a failure after the headers went out still reaches the client,
as an `error` event, instead of a connection cut mid-stream."""

from collections.abc import AsyncIterator

from archivist.chat.sse import Event, with_pings
from archivist.core.errors import ServiceUnavailable


async def _collect(events: AsyncIterator[Event]) -> list[str]:
    return [chunk async for chunk in with_pings(events, every_seconds=5)]


async def test_unexpected_failure_mid_stream_ends_with_an_error_event() -> None:
    async def events() -> AsyncIterator[Event]:
        yield "sources", []
        raise RuntimeError("secret internals")

    chunks = await _collect(events())
    assert chunks[0].startswith("event: sources")
    assert chunks[-1].startswith("event: error")
    assert '"InternalError"' in chunks[-1] and "secret internals" not in chunks[-1]


async def test_expected_failure_mid_stream_keeps_its_name_and_detail() -> None:
    async def events() -> AsyncIterator[Event]:
        yield "sources", []
        raise ServiceUnavailable("The database is unavailable")

    chunks = await _collect(events())
    assert '"ServiceUnavailable"' in chunks[-1] and "database is unavailable" in chunks[-1]
