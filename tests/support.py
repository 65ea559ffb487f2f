"""Small helpers shared by the HTTP tests: a cookie-free client and the error-shape check."""

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from httpx import ASGITransport, AsyncClient, Response

from archivist.core.config import Settings
from archivist.core.state import AppState
from archivist.embedded.services import EmbeddedServices
from archivist.main import create_app

ERROR_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


@contextmanager
def own_services(data_dir: Path) -> Iterator[EmbeddedServices]:
    """A PostgreSQL and a Redis of their own, with no schema yet, stopped at the end."""
    services = EmbeddedServices(data_dir)
    try:
        services.start_postgres()
        services.start_redis()
        yield services
    finally:
        services.stop()


@asynccontextmanager
async def open_client(state: AppState) -> AsyncIterator[AsyncClient]:
    """A client with its own cookie jar over an app bound to `state`.

    The session-wide `client` fixture keeps every cookie that register/login set, so a request
    sent without an Authorization header would silently be cookie-authenticated as whoever
    signed in last; tests that care about credentials use a fresh client instead.
    """
    app = create_app(state.settings)
    app.state.archivist = state
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        yield http


@asynccontextmanager
async def client_with_auth(settings: Settings, **auth: object) -> AsyncIterator[AsyncClient]:
    """A client of an app with its own AppState, whose auth settings differ by `auth`."""
    changed = settings.model_copy(update={"auth": settings.auth.model_copy(update=auth)})
    state = AppState.create(changed)
    try:
        async with open_client(state) as client:
            yield client
    finally:
        await state.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_error(response: Response, status: int, error: str | None = None) -> dict[str, str]:
    """The response is `status` with exactly `{"error": ClassName, "detail": str}`."""
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url.path}: expected {status}, "
        f"got {response.status_code}: {response.text}"
    )
    body = response.json()
    assert isinstance(body, dict), response.text
    assert set(body) == {"error", "detail"}, response.text
    assert isinstance(body["error"], str) and ERROR_NAME.match(body["error"]), response.text
    assert isinstance(body["detail"], str) and body["detail"], response.text
    if error is not None:
        assert body["error"] == error, response.text
    return body
