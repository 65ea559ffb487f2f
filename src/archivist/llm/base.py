"""The `LLM` interface: chat messages in, text deltas out."""

from collections.abc import AsyncIterator
from typing import Protocol, TypedDict


class ChatMessage(TypedDict):
    role: str  # "system" | "user" | "assistant"
    content: str


class LLMError(Exception):
    """The model could not answer (unreachable, refused, timed out, broke off).

    Its message is shown to the user as is: say what failed in general terms and never include
    what the upstream server sent (log that instead)."""


class LLMTimeout(LLMError):
    pass


class LLM(Protocol):
    name: str
    # Whether the model follows instructions well enough to rewrite a follow-up question and to
    # cite sources itself; small local models do neither.
    capable: bool

    def stream(self, messages: list[ChatMessage], max_tokens: int) -> AsyncIterator[str]:
        """The answer, piece by piece."""
        ...
