"""Security headers on every response: a Content-Security-Policy, no framing, no MIME sniffing,
a referrer policy, and Strict-Transport-Security when the deployment is served over HTTPS.

Three policies:

- API answers (JSON, file downloads, anything not HTML) get `default-src 'none'`: nothing they
  contain may run or load anything, so a downloaded HTML or SVG file opened in the browser is inert.
- Web UI pages get `page_csp()`: scripts only from this origin plus the exact inline scripts of
  that page, allowed by their sha256 hashes (the static export inlines its bootstrap and theme
  scripts; a hash never matches injected script, unlike 'unsafe-inline'). Styles allow
  'unsafe-inline': Radix's scroll lock inserts `<style>` elements at run time and a static export
  has no per-response nonce. Inline CSS cannot run code, and since images, fonts and fetches are
  limited to this origin a CSS `url()` cannot carry anything out either.
- HTML the API renders itself (`/docs`) gets the page policy with hashes computed from the body,
  plus the CDN Swagger UI loads from.
"""

import base64
import hashlib
import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=31536000"
# Where FastAPI's Swagger UI page loads its script, stylesheet and favicon from.
DOCS_SCRIPT_SOURCES = ("https://cdn.jsdelivr.net",)
DOCS_IMAGE_SOURCES = ("https://fastapi.tiangolo.com",)

_INLINE_SCRIPT = re.compile(rb"<script\b(?![^>]*\ssrc\s*=)[^>]*>(.*?)</script\s*>", re.S | re.I)


def inline_script_hashes(html: bytes) -> list[str]:
    """A `'sha256-…'` source for each inline `<script>` in `html`, hashed as a browser does
    (over the script's text, after the HTML parser has turned CR LF into LF)."""
    sources: list[str] = []
    for match in _INLINE_SCRIPT.finditer(html):
        text = match.group(1).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        source = f"'sha256-{base64.b64encode(hashlib.sha256(text).digest()).decode()}'"
        if source not in sources:
            sources.append(source)
    return sources


def page_csp(
    script_hashes: Iterable[str],
    script_sources: Iterable[str] = (),
    image_sources: Iterable[str] = (),
) -> str:
    scripts = " ".join(["'self'", *script_sources, *script_hashes])
    styles = " ".join(["'self'", "'unsafe-inline'", *script_sources])
    images = " ".join(["'self'", "data:", *image_sources])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            f"style-src {styles}",
            f"img-src {images}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    """Pure ASGI (not BaseHTTPMiddleware), so streamed answers such as the chat's server-sent
    events pass through unbuffered. A response that already carries a Content-Security-Policy
    (the web UI's pages) keeps it; other HTML is buffered once to hash its inline scripts."""

    def __init__(self, app: ASGIApp, *, hsts: bool, docs_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.hsts = hsts
        self.docs_paths = frozenset(docs_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_docs = scope.get("path", "") in self.docs_paths
        held: Message | None = None
        body: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                self._common(headers)
                if "content-security-policy" in headers:
                    await send(message)
                elif headers.get("content-type", "").startswith("text/html"):
                    held = message  # sent with the policy once the whole page is known
                else:
                    headers["Content-Security-Policy"] = API_CSP
                    await send(message)
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            page = b"".join(body)
            headers = MutableHeaders(scope=held)
            headers["Content-Security-Policy"] = page_csp(
                inline_script_hashes(page),
                DOCS_SCRIPT_SOURCES if is_docs else (),
                DOCS_IMAGE_SOURCES if is_docs else (),
            )
            await send(held)
            await send({"type": "http.response.body", "body": page, "more_body": False})

        await self.app(scope, receive, send_with_headers)

    def _common(self, headers: MutableHeaders) -> None:
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if self.hsts:
            headers.setdefault("Strict-Transport-Security", HSTS)
