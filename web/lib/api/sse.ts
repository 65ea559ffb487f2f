import { csrfHeaders } from "./csrf";
import { responseError } from "./errors";
import type { ChatMessage, Citation, MessageCreate } from "./types";

export type ChatEvent =
  | { type: "sources"; citations: Citation[] }
  | { type: "delta"; text: string }
  | { type: "done"; message: ChatMessage }
  | { type: "error"; error: string; detail: string };

interface RawEvent {
  event: string;
  data: string;
}

/** Split an SSE byte stream into events (comment lines such as `: ping` are skipped). */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<RawEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const parsed = parseBlock(block);
        if (parsed) yield parsed;
        end = buffer.indexOf("\n\n");
      }
    }
    const last = parseBlock(buffer);
    if (last) yield last;
  } finally {
    reader.releaseLock();
  }
}

function parseBlock(block: string): RawEvent | null {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return data.length ? { event, data: data.join("\n") } : null;
}

function toChatEvent(raw: RawEvent): ChatEvent | null {
  const payload: unknown = JSON.parse(raw.data);
  switch (raw.event) {
    case "sources":
      return { type: "sources", citations: payload as Citation[] };
    case "delta":
      return { type: "delta", text: (payload as { text: string }).text };
    case "done":
      return { type: "done", message: payload as ChatMessage };
    case "error": {
      const body = payload as { error?: string; detail?: string };
      return {
        type: "error",
        error: body.error ?? "Error",
        detail: body.detail ?? "The answer failed.",
      };
    }
    default:
      return null;
  }
}

/**
 * POST a question and yield the answer's events as they arrive. EventSource cannot POST, so
 * this is fetch + ReadableStream; abort `signal` to stop generation.
 */
export async function* streamMessage(
  sessionId: string,
  content: string,
  signal: AbortSignal,
): AsyncGenerator<ChatEvent> {
  const body: MessageCreate = { content, stream: true };
  const response = await fetch(`/api/chat/sessions/${encodeURIComponent(sessionId)}/messages`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "text/event-stream",
      ...csrfHeaders(),
    },
    body: JSON.stringify(body),
    credentials: "same-origin",
    signal,
  });
  if (!response.ok || !response.body) throw await responseError(response);
  for await (const raw of readEvents(response.body)) {
    const event = toChatEvent(raw);
    if (event) yield event;
  }
}
