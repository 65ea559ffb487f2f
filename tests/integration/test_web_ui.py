"""The API serves the web UI's static export at `/` without shadowing any API answer."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient

from archivist.core.state import AppState
from archivist.main import create_app
from tests.support import assert_error


@pytest.fixture
async def web(app_state: AppState, tmp_path: Path) -> AsyncIterator[AsyncClient]:
    out = tmp_path / "out"
    (out / "_next" / "static" / "chunks").mkdir(parents=True)
    (out / "documents").mkdir()
    (out / "index.html").write_text("<p>home</p>")
    (out / "login.html").write_text("<p>login</p>")
    (out / "documents" / "index.html").write_text("<p>documents</p>")
    (out / "404.html").write_text("<p>missing</p>")
    (out / "_next" / "static" / "chunks" / "app-1a2b.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("outside the export")
    app = create_app(app_state.settings.model_copy(update={"web_dir": out}))
    app.state.archivist = app_state
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        yield http


async def test_pages_and_assets_are_served(web: AsyncClient) -> None:
    for path, body in [
        ("/", "home"),
        ("/login", "login"),
        ("/login.html", "login"),
        ("/documents", "documents"),
        ("/documents/", "documents"),
    ]:
        response = await web.get(path)
        assert response.status_code == 200, path
        assert body in response.text
        assert response.headers["cache-control"] == "no-cache"
    asset = await web.get("/_next/static/chunks/app-1a2b.js")
    assert asset.status_code == 200
    assert "immutable" in asset.headers["cache-control"]
    assert (await web.head("/login")).status_code == 200


async def test_unknown_pages_get_the_export_404_and_nothing_outside_it(web: AsyncClient) -> None:
    for path in (
        "/no-such-page",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/documents/../../secret.txt",
    ):
        response = await web.get(path)
        assert response.status_code == 404, path
        assert "outside the export" not in response.text


async def test_api_answers_are_never_shadowed(web: AsyncClient) -> None:
    assert_error(await web.get("/api/no-such-thing"), 404, "NotFound")
    assert_error(await web.get("/api"), 404, "NotFound")
    assert_error(await web.put("/api/auth/login"), 405, "MethodNotAllowed")
    assert_error(await web.post("/login"), 404, "NotFound")  # pages are read-only
    assert (await web.get("/health")).json()["status"] == "healthy"
    assert (await web.get("/openapi.json")).json()["info"]["title"] == "Archivist"


async def test_a_missing_build_says_how_to_build_it(app_state: AppState, tmp_path: Path) -> None:
    app = create_app(app_state.settings.model_copy(update={"web_dir": tmp_path / "absent"}))
    app.state.archivist = app_state
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http:
        response = await http.get("/")
    assert response.status_code == 200
    assert "make up" in response.text
