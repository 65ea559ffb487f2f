"""Every response carries the security headers: API answers, errors, web UI pages and /docs."""

import base64
import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient, Response

from archivist.core.state import AppState
from archivist.main import create_app
from tests.support import assert_error

THEME = '(function(){document.documentElement.classList.add("dark")})();'
BOOT = 'self.__next_f.push([1,"a\\n"])'
PAGE = (
    "<!doctype html><html><head>"
    '<script src="/_next/static/chunks/app.js" async=""></script>'
    f"<script>{THEME}</script></head><body><p>login</p>"
    f'<script id="_R_">{BOOT}</script></body></html>'
)
MISSING = "<!doctype html><p>missing</p><script>console.log(404)</script>"


def sha256_source(script: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"


def directives(response: Response) -> dict[str, list[str]]:
    policy = response.headers["content-security-policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_common(response: Response, hsts: bool = False) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert headers["x-frame-options"] == "DENY"
    assert directives(response)["frame-ancestors"] == ["'none'"]
    assert ("strict-transport-security" in headers) is hsts


def make_app(state: AppState, web_dir: Path, secure: bool = False) -> AsyncClient:
    auth = state.settings.auth.model_copy(update={"cookie_secure": secure})
    app = create_app(state.settings.model_copy(update={"web_dir": web_dir, "auth": auth}))
    app.state.archivist = state

    @app.get("/api/test-boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("unexpected")

    return AsyncClient(transport=ASGITransport(app=app), base_url="http://test")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "_next" / "static" / "chunks").mkdir(parents=True)
    (out / "index.html").write_text(PAGE)
    (out / "login.html").write_text(PAGE)
    (out / "404.html").write_text(MISSING)
    (out / "_next" / "static" / "chunks" / "app.js").write_text("console.log(1)")
    return out


@pytest.fixture
async def web(app_state: AppState, out: Path) -> AsyncIterator[AsyncClient]:
    async with make_app(app_state, out) as http:
        yield http


async def test_api_answers_and_errors_forbid_everything(web: AsyncClient) -> None:
    for response in (
        await web.get("/health"),
        assert_error_response(await web.get("/api/me"), 401),
        assert_error_response(await web.get("/api/no-such-thing"), 404),
        assert_error_response(await web.post("/api/auth/login", json={}), 422),
        assert_error_response(await web.get("/api/test-boom"), 500),
        await web.get("/openapi.json"),
    ):
        assert_common(response)
        policy = directives(response)
        assert policy["default-src"] == ["'none'"], response.request.url
        assert "script-src" not in policy


def assert_error_response(response: Response, status: int) -> Response:
    assert_error(response, status)
    return response


async def test_ui_pages_allow_exactly_their_own_inline_scripts(web: AsyncClient) -> None:
    for path in ("/", "/login"):
        response = await web.get(path)
        assert response.status_code == 200
        assert_common(response)
        scripts = directives(response)["script-src"]
        assert sorted(scripts) == sorted(["'self'", sha256_source(THEME), sha256_source(BOOT)])
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
        assert directives(response)["connect-src"] == ["'self'"]
        assert directives(response)["object-src"] == ["'none'"]
    missing = await web.get("/no-such-page")
    assert missing.status_code == 404
    assert_common(missing)
    assert directives(missing)["script-src"] == ["'self'", sha256_source("console.log(404)")]
    asset = await web.get("/_next/static/chunks/app.js")
    assert_common(asset)
    assert asset.headers["x-content-type-options"] == "nosniff"


async def test_a_rebuilt_page_gets_the_hashes_of_its_new_scripts(
    web: AsyncClient, out: Path
) -> None:
    await web.get("/login")
    (out / "login.html").write_text("<p>new build</p><script>window.rebuilt = 1</script>")
    response = await web.get("/login")
    assert directives(response)["script-src"] == ["'self'", sha256_source("window.rebuilt = 1")]


async def test_docs_allow_their_inline_script_and_the_swagger_cdn(web: AsyncClient) -> None:
    response = await web.get("/docs")
    assert response.status_code == 200
    assert_common(response)
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.S)
    assert inline, response.text
    scripts = directives(response)["script-src"]
    assert "https://cdn.jsdelivr.net" in scripts
    assert all(sha256_source(script) in scripts for script in inline)
    assert "'unsafe-inline'" not in scripts
    assert "validator.swagger.io" not in response.text
    assert (await web.get("/redoc")).status_code == 404


async def test_hsts_only_when_cookies_are_secure(
    app_state: AppState, out: Path, web: AsyncClient
) -> None:
    assert "strict-transport-security" not in (await web.get("/login")).headers
    async with make_app(app_state, out, secure=True) as secure:
        for response in (
            await secure.get("/health"),
            await secure.get("/login"),
            await secure.get("/api/me"),
        ):
            assert_common(response, hsts=True)
            assert response.headers["strict-transport-security"] == "max-age=31536000"
