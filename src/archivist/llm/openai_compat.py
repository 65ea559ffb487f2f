"""Any OpenAI-compatible chat endpoint: OpenAI, Azure, vLLM, Ollama, llama.cpp server."""

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator

import openai
from openai.types.chat import ChatCompletionChunk, ChatCompletionMessageParam

from archivist.core import openai_api
from archivist.llm.base import ChatMessage, LLMError, LLMTimeout

logger = logging.getLogger(__name__)


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
        self.base_url = openai_api.api_base_url(base_url)
        self._client_args = (base_url, api_key, timeout_seconds, connect_timeout_seconds, retries)
        # One client per event loop (its pooled connections belong to the loop that opened
        # them): answers reuse connections, and building a client (its TLS context) is not free.
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, openai.AsyncOpenAI]
        self._clients = weakref.WeakKeyDictionary()

    def _client(self) -> openai.AsyncOpenAI:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = openai_api.async_client(*self._client_args)
        return client

    async def stream(self, messages: list[ChatMessage], max_tokens: int) -> AsyncIterator[str]:
        # The SDK retries what failed before the answer began (connection errors, timeouts,
        # 408/409/429/5xx, honouring Retry-After); once text has gone out a retry would repeat
        # it, so a later failure ends the answer instead.
        finished = False
        client = self._client()
        try:
            chunks = await client.chat.completions.create(
                model=self.name,
                messages=[_message(m) for m in messages],
                stream=True,
                max_tokens=max_tokens,
                temperature=0.1,
            )
            async with chunks:  # closed (its connection back to the pool) even if abandoned
                async for chunk in chunks:
                    piece, done = _delta(chunk)
                    finished = finished or done
                    if piece:
                        yield piece
        except openai.APITimeoutError as exc:
            raise LLMTimeout("The language model endpoint timed out; try again") from exc
        except openai.APIStatusError as exc:
            logger.warning(
                "the model endpoint answered %s: %s", exc.status_code, openai_api.logged_body(exc)
            )
            raise LLMError(
                openai_api.refusal(exc.status_code, "language model", "LLM settings")
            ) from exc
        except openai.APIConnectionError as exc:
            logger.warning("the connection to the model endpoint broke: %r", exc.__cause__)
            raise LLMError(
                "The connection to the language model endpoint broke; try again"
            ) from exc
        except (openai.APIError, ValueError) as exc:
            # An error event inside the stream (its text is the server's: log it), or data
            # that is not JSON.
            logger.warning("the model endpoint sent a broken stream: %s", exc)
            raise LLMError("The model server sent a malformed stream") from exc
        if not finished:
            raise LLMError("The model's answer broke off before it finished")


def _message(message: ChatMessage) -> ChatCompletionMessageParam:
    role, content = message["role"], message["content"]
    if role == "system":
        return {"role": "system", "content": content}
    if role == "assistant":
        return {"role": "assistant", "content": content}
    return {"role": "user", "content": content}


def _delta(chunk: ChatCompletionChunk) -> tuple[str, bool]:
    """The text a stream chunk adds, and whether it ends the answer."""
    try:
        if not chunk.choices:  # a usage report, a keep-alive
            return "", False
        choice = chunk.choices[0]
        return (choice.delta.content or "") if choice.delta else "", bool(choice.finish_reason)
    except (AttributeError, IndexError, TypeError) as exc:
        raise ValueError(f"an unexpected chunk: {exc}") from exc
