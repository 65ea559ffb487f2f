"""Any OpenAI-compatible chat endpoint: OpenAI, Azure, vLLM, Ollama, llama.cpp server."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import httpx

from archivist.llm.base import ChatMessage, LLMError, LLMTimeout

RETRYABLE = {408, 409, 429, 500, 502, 503, 504}


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
                            detail = (await response.aread()).decode(errors="replace")[:200]
                            raise LLMError(
                                f"model server answered {response.status_code}: {detail}"
                            )
                        async for piece in _deltas(response):
                            started = True
                            yield piece
                        return
                except httpx.TimeoutException as exc:
                    if started or attempt >= self.retries:
                        raise LLMTimeout("The model took too long to answer") from exc
                except (httpx.TransportError, httpx.DecodingError) as exc:
                    # Once text has gone out, a retry would repeat it: fail instead.
                    if started or attempt >= self.retries:
                        raise LLMError(f"The connection to the model broke: {exc}") from exc
                await asyncio.sleep(0.5 * 2**attempt)
            raise LLMError("The model server kept refusing the request")


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
