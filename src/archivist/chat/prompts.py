"""The words the model is given."""

from archivist.chat.citations import Source
from archivist.llm.base import ChatMessage

SYSTEM = (
    "You are Archivist, an assistant that answers questions using only the numbered sources "
    "below, which come from the user's own documents. Cite the sources you use with their "
    "number in square brackets, like [1], right after the claim they support. If the sources "
    "do not contain the answer, say that you could not find it in the documents. Be concise."
)

REPHRASE = (
    "Rewrite the user's last question as one standalone search query that can be understood "
    "without the conversation. Answer with the query only."
)


def answer_messages(
    sources: list[Source], history: list[ChatMessage], question: str
) -> list[ChatMessage]:
    blocks = "".join(
        f"\n[{s.n}] {s.title}" + (f" (page {s.page})" if s.page else "") + f"\n{s.text}\n"
        for s in sources
    )
    system = SYSTEM + "\n\nSources:\n" + (blocks or "(none found)\n")
    return [{"role": "system", "content": system}, *history, {"role": "user", "content": question}]


def rephrase_messages(history: list[ChatMessage], question: str) -> list[ChatMessage]:
    transcript = "\n".join(f"{m['role']}: {m['content'][:500]}" for m in history)
    return [
        {"role": "system", "content": REPHRASE},
        {"role": "user", "content": f"{transcript}\nuser: {question}"},
    ]
