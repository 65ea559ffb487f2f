"""The web UI's static export (web/out), served by the API so that one URL does everything.

Next.js exports each page as `<route>.html` (or `<route>/index.html`) plus hashed assets under
`/_next/static/`. API routes always win; an unknown `/api/...` path keeps its JSON 404, and a
page that does not exist gets the export's own 404 page.
"""

from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from archivist.core.errors import error_response
from archivist.core.headers import inline_script_hashes, page_csp

# Hashed file names never change content; pages must be revalidated to pick up a new build.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
NOT_BUILT = (
    "<!doctype html><title>Archivist</title><p>The web UI has not been built. "
    "Run <code>make up</code> (or <code>npm run build</code> in <code>web/</code>); "
    "the API is at <a href='/docs'>/docs</a>.</p>"
)


def _resolve(root: Path, path: str) -> Path | None:
    """The file for a URL path inside `root`, or None; never anything outside `root`."""
    stripped = path.strip("/")
    candidates = (
        [root / "index.html"]
        if not stripped
        else [root / stripped, root / f"{stripped}.html", root / stripped / "index.html"]
    )
    for candidate in candidates:
        resolved = candidate.resolve()
        if resolved.is_file() and resolved.is_relative_to(root):
            return resolved
    return None


@lru_cache(maxsize=256)
def _page_csp(path: Path, mtime_ns: int, size: int) -> str:
    """The page's policy, allowing exactly its own inline scripts; a rebuilt file (new mtime or
    size) gets a new entry."""
    return page_csp(inline_script_hashes(path.read_bytes()))


def _file_response(path: Path, cache: str, status_code: int = 200) -> FileResponse:
    headers = {"Cache-Control": cache}
    if path.suffix == ".html":
        stat = path.stat()
        headers["Content-Security-Policy"] = _page_csp(path, stat.st_mtime_ns, stat.st_size)
    return FileResponse(path, status_code=status_code, headers=headers)


def web_ui_response(root: Path, path: str) -> Response:
    if not (root / "index.html").is_file():
        return HTMLResponse(NOT_BUILT, status_code=404 if path.strip("/") else 200)
    found = _resolve(root, path)
    if found is not None:
        return _file_response(found, IMMUTABLE if path.startswith("/_next/static/") else REVALIDATE)
    missing = root / "404.html"
    if missing.is_file():
        return _file_response(missing, REVALIDATE, status_code=404)
    return error_response(404, "NotFound", "Not Found")


def mount_web_ui(app: FastAPI, web_dir: Path) -> None:
    """Answer GET/HEAD requests that match no API route with the web UI's files.

    This is the router's fallback rather than a catch-all route, so API paths keep their
    JSON 404 and 405 answers.
    """
    root = web_dir.resolve()
    not_found = app.router.default

    async def fallback(scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        is_api = path == "/api" or path.startswith("/api/")
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or is_api:
            await not_found(scope, receive, send)
            return
        await web_ui_response(root, path)(scope, receive, send)

    app.router.default = fallback
