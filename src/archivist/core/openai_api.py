"""Clients of an OpenAI-compatible API (chat and embeddings), built one way.

OpenAI, Azure's v1 API, vLLM, Ollama, TEI and llama.cpp's server all speak it; operators write
their address in whichever form their server's documentation shows, so both `https://host` and
`https://host/v1` (with or without a trailing slash) mean the API at `https://host/v1`.
"""

from urllib.parse import urlsplit

import openai

# The SDK insists on a key; a server that wants none ignores the header.
NO_KEY = "none"
# How much of an upstream error body goes to the log.
LOGGED_BODY_CHARS = 1000


def api_base_url(base_url: str) -> str:
    """The API root that request paths (`/chat/completions`, `/embeddings`) are appended to.

    A bare host gets `/v1`; an address with a path is taken as the API root as it is, so one
    whose API is not at `/v1` (`…/v1beta/openai`, a proxy's prefix) can still be given whole.
    """
    url = base_url.strip().rstrip("/")
    if not urlsplit(url).path:
        url += "/v1"
    return url


def _timeout(timeout_seconds: float, connect_timeout_seconds: float) -> openai.Timeout:
    return openai.Timeout(timeout_seconds, connect=min(connect_timeout_seconds, timeout_seconds))


def sync_client(
    base_url: str,
    api_key: str,
    timeout_seconds: float,
    connect_timeout_seconds: float,
    retries: int,
) -> openai.OpenAI:
    """A blocking client (the embedder runs in worker and pool threads)."""
    return openai.OpenAI(
        base_url=api_base_url(base_url),
        api_key=api_key or NO_KEY,
        timeout=_timeout(timeout_seconds, connect_timeout_seconds),
        max_retries=retries,
    )


def async_client(
    base_url: str,
    api_key: str,
    timeout_seconds: float,
    connect_timeout_seconds: float,
    retries: int,
) -> openai.AsyncOpenAI:
    """An asyncio client. Its pooled connections belong to the event loop that opened them: keep
    one per event loop, not one per process."""
    return openai.AsyncOpenAI(
        base_url=api_base_url(base_url),
        api_key=api_key or NO_KEY,
        timeout=_timeout(timeout_seconds, connect_timeout_seconds),
        max_retries=retries,
    )


def refusal(status: int, endpoint: str, settings: str) -> str:
    """What a user is told when `endpoint` answers `status`: its class, never its body (which may
    echo the prompt, other users' sources, keys or internals; that goes to the log)."""
    if status in (401, 403):
        reason = f"refused Archivist's credentials; an administrator must check the {settings}"
    elif status == 429:
        reason = "is rate limiting Archivist; try again in a minute"
    elif status >= 500:
        reason = "had an internal error; try again, and tell an administrator if it persists"
    else:
        reason = "rejected the request; an administrator can find the reason in the server log"
    return f"The {endpoint} endpoint failed (HTTP {status}): it {reason}."


def logged_body(error: openai.APIStatusError) -> str:
    """The start of an error answer's body, for the log: enough to diagnose, not a whole page."""
    return error.response.text[:LOGGED_BODY_CHARS]
