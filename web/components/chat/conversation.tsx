"use client";

import { MessageSquare } from "lucide-react";
import * as React from "react";
import { Alert } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api/errors";
import { useSession } from "@/lib/queries/chat";
import { useChatStore } from "@/stores/chat";
import { AssistantBubble, UserBubble } from "./message-bubble";

/** The stored messages of a session, then the answer streaming right now, then any error. */
export function Conversation({ sessionId }: { sessionId: string | null }) {
  const session = useSession(sessionId);
  const live = useChatStore((s) => (s.live && s.live.sessionId === sessionId ? s.live : null));
  const error = useChatStore((s) => s.errors[sessionId ?? "new"]);
  const endRef = React.useRef<HTMLDivElement>(null);
  const scrollerRef = React.useRef<HTMLDivElement>(null);
  const messages = session.data?.messages ?? [];

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
            <AssistantBubble key={m.id} text={m.content} citations={m.citations ?? []} />
          ),
        )}
        {live ? (
          <>
            <UserBubble text={live.question} />
            <AssistantBubble
              text={live.text}
              citations={live.message?.citations ?? live.sources}
              streaming={live.status === "waiting" || live.status === "streaming"}
              note={live.status === "stopped" ? "Stopped" : undefined}
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
        className="mx-auto w-full max-w-3xl px-4 py-6"
      >
        {body}
        <div ref={endRef} />
      </div>
    </div>
  );
}
