"use client";

import { MessageSquare } from "lucide-react";
import * as React from "react";
import { Alert } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api/errors";
import { useSession } from "@/lib/queries/chat";
import type { ChatMessage } from "@/lib/api/types";
import { isActive, liveFor, type LiveAnswer, type LiveStatus, useChatStore } from "@/stores/chat";
import { AssistantBubble, UserBubble } from "./message-bubble";

const NOTES: Partial<Record<LiveStatus, string>> = {
  stopped: "Stopped",
  interrupted: "The answer was interrupted",
};

/** Said once, politely, when an answer ends (the log itself is busy while it streams). */
const ANNOUNCEMENTS: Partial<Record<LiveStatus, string>> = {
  done: "Answer complete.",
  stopped: "Answer stopped.",
  interrupted: "The answer was interrupted.",
};

/**
 * The stored messages from before the live question. Once the server has stored that question
 * (a refetch can land while the answer streams), it and what follows are shown by the live
 * answer instead, so nothing appears twice.
 */
function storedBefore(messages: ChatMessage[], live: LiveAnswer | null): ChatMessage[] {
  if (!live) return messages;
  const question = live.question.trim();
  for (let i = messages.length - 1; i >= (live.baseCount ?? 0); i -= 1) {
    const m = messages[i];
    if (m?.role === "user" && m.content.trim() === question) return messages.slice(0, i);
  }
  return messages;
}

/** The stored messages of a session, then the answer streaming right now, then any error. */
export function Conversation({ sessionId }: { sessionId: string | null }) {
  const session = useSession(sessionId);
  const live = useChatStore((s) => liveFor(s.live, sessionId));
  const error = useChatStore((s) => s.errors[sessionId ?? "new"]);
  const endRef = React.useRef<HTMLDivElement>(null);
  const scrollerRef = React.useRef<HTMLDivElement>(null);
  const stored = session.data?.messages;
  const messages = React.useMemo(() => storedBefore(stored ?? [], live), [stored, live]);
  const streaming = isActive(live);
  const announcement = (live && ANNOUNCEMENTS[live.status]) ?? "";

  // Follow the answer as it grows, unless the reader scrolled up to read something.
  React.useLayoutEffect(() => {
    const scroller = scrollerRef.current;
    if (!scroller) return;
    const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 160;
    if (nearBottom || live?.status === "waiting") endRef.current?.scrollIntoView({ block: "end" });
  }, [messages.length, live?.text, live?.status, error]);

  React.useEffect(() => {
    endRef.current?.scrollIntoView({ block: "end" });
  }, [sessionId, session.isSuccess]);

  let body: React.ReactNode;
  if (sessionId && session.isPending) {
    body = (
      <div className="grid gap-4" aria-busy="true">
        <span className="sr-only">Loading conversation…</span>
        <Skeleton className="ml-auto h-10 w-2/3 rounded-2xl" />
        <Skeleton className="h-28 w-5/6 rounded-2xl" />
      </div>
    );
  } else if (sessionId && session.isError) {
    body = <Alert variant="destructive">{errorMessage(session.error)}</Alert>;
  } else if (!messages.length && !live && !error) {
    body = (
      <EmptyState
        icon={<MessageSquare />}
        title="Ask about your documents"
        className="mt-8 border-0"
      >
        Answers cite their sources with numbered markers; select one to read the passage.
      </EmptyState>
    );
  } else {
    body = (
      <div className="grid gap-5">
        {messages.map((m) =>
          m.role === "user" ? (
            <UserBubble key={m.id} text={m.content} />
          ) : (
            <AssistantBubble
              key={m.id}
              text={m.content}
              citations={m.citations ?? []}
              grounding={m.grounding}
              sentences={m.sentences}
            />
          ),
        )}
        {live ? (
          <>
            <UserBubble text={live.question} />
            <AssistantBubble
              text={live.text}
              citations={live.message?.citations ?? live.sources}
              grounding={live.message?.grounding}
              sentences={live.message?.sentences}
              streaming={streaming}
              note={NOTES[live.status]}
            />
          </>
        ) : null}
        {error ? <Alert variant="destructive">{error}</Alert> : null}
      </div>
    );
  }

  return (
    <div ref={scrollerRef} className="min-h-0 flex-1 overflow-y-auto">
      <div
        role="log"
        aria-label="Conversation"
        aria-live="polite"
        aria-relevant="additions"
        aria-busy={streaming || (!!sessionId && session.isPending)}
        className="mx-auto w-full max-w-3xl px-4 py-6"
      >
        {body}
        <div ref={endRef} />
      </div>
      <p role="status" className="sr-only">
        {announcement}
      </p>
    </div>
  );
}
