"""Any OpenAI-compatible chat endpoint: OpenAI, Azure, vLLM, Ollama, llama.cpp server."""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator

import httpx

from archivist.llm.base import ChatMessage, LLMError, LLMTimeout

logger = logging.getLogger(__name__)
RETRYABLE = {408, 409, 429, 500, 502, 503, 504}
# How much of an upstream error body goes to the log: enough to diagnose, not a whole page.
LOGGED_BODY_CHARS = 1000


class OpenAICompatibleLLM:
    capable = True

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout_seconds: float = 60.0,
        connect_timeout_seconds: float = 5.0,
        retries: int = 2,
    ) -> None:
        self.name = model
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.timeout = httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds)
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}

    async def stream(self, messages: list[ChatMessage], max_tokens: int) -> AsyncIterator[str]:
        body = {
            "model": self.name,
            "messages": messages,
            "stream": True,
            "max_tokens": max_tokens,
            "temperature": 0.1,
        }
        url = f"{self.base_url}/chat/completions"
        if not self.base_url.endswith("/v1"):
            url = f"{self.base_url}/v1/chat/completions"
        async with httpx.AsyncClient(timeout=self.timeout, headers=self.headers) as client:
            for attempt in range(self.retries + 1):
                started = False
                try:
                    async with client.stream("POST", url, json=body) as response:
                        if response.status_code in RETRYABLE and attempt < self.retries:
                            await asyncio.sleep(_retry_after(response, attempt))
                            continue
                        if response.status_code != 200:
                            # The body may echo the prompt (other users' sources), keys or
                            # internals: it goes to the log, never to the user.
                            logger.warning(
                                "the model endpoint answered %s: %s",
                                response.status_code,
                                await _head(response),
                            )
                            raise LLMError(_refusal(response.status_code))
                        async for piece in _deltas(response):
                            started = True
                            yield piece
                        return
                except httpx.TimeoutException as exc:
                    if started or attempt >= self.retries:
                        raise LLMTimeout(
                            "The language model endpoint timed out; try again"
                        ) from exc
                except (httpx.TransportError, httpx.DecodingError) as exc:
                    # Once text has gone out, a retry would repeat it: fail instead.
                    if started or attempt >= self.retries:
                        logger.warning("the connection to the model endpoint broke: %r", exc)
                        raise LLMError(
                            "The connection to the language model endpoint broke; try again"
                        ) from exc
                await asyncio.sleep(0.5 * 2**attempt)
            raise LLMError("The model server kept refusing the request")


def _refusal(status: int) -> str:
    """What the user is told when the model endpoint answers `status`: its class, not its body."""
    if status in (401, 403):
        reason = "refused Archivist's credentials; an administrator must check the LLM settings"
    elif status == 429:
        reason = "is rate limiting Archivist; try again in a minute"
    elif status >= 500:
        reason = "had an internal error; try again, and tell an administrator if it persists"
    else:
        reason = "rejected the request; an administrator can find the reason in the server log"
    return f"The language model endpoint failed (HTTP {status}): it {reason}."


async def _head(response: httpx.Response) -> str:
    """The start of an error body, without reading all of a huge one."""
    head = b""
    async for block in response.aiter_bytes():
        head += block
        if len(head) >= LOGGED_BODY_CHARS:
            break
    return head[:LOGGED_BODY_CHARS].decode(errors="replace")


def _retry_after(response: httpx.Response, attempt: int) -> float:
    backoff: float = 0.5 * 2**attempt
    with contextlib.suppress(ValueError):
        backoff = float(str(response.headers.get("retry-after", "")))
    return min(10.0, backoff)


async def _deltas(response: httpx.Response) -> AsyncIterator[str]:
    finished = False
    async for line in response.aiter_lines():
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            finished = True
            break
        try:
            choice = json.loads(data)["choices"][0]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMError("The model server sent a malformed stream") from exc
        piece = (choice.get("delta") or {}).get("content") or ""
        if piece:
            yield piece
        if choice.get("finish_reason"):
            finished = True
    if not finished:
        raise LLMError("The model's answer broke off before it finished")
