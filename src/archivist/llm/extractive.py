"""No model at all: answer with the best passages themselves, each with its [n]."""

from collections.abc import AsyncIterator

from archivist.llm.base import ChatMessage

MAX_PASSAGES = 3


class ExtractiveLLM:
    """Reads the numbered sources out of the prompt the chat service built."""

    name = "extractive"
    capable = False

    async def stream(self, messages: list[ChatMessage], max_tokens: int) -> AsyncIterator[str]:
        sources = _sources(messages[0]["content"]) if messages else []
        if not sources:
            yield "I could not find anything about this in the documents you can see."
            return
        yield "Here is what the most relevant documents say:\n\n"
        for n, text in sources[:MAX_PASSAGES]:
            yield f"- {text.strip()} [{n}]\n"


def _sources(system_prompt: str) -> list[tuple[int, str]]:
    found = []
    for block in system_prompt.split("\n[")[1:]:
        number, _, rest = block.partition("]")
        if number.isdigit():
            body = rest.split("\n", 1)[1] if "\n" in rest else rest
            found.append((int(number), " ".join(body.split())[:600]))
    return found
