"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import * as React from "react";
import { errorMessage } from "@/lib/api/errors";
import { streamMessage } from "@/lib/api/sse";
import type { ChatSessionDetail } from "@/lib/api/types";
import { useCreateSession } from "@/lib/queries/chat";
import { queryKeys } from "@/lib/queries/keys";
import { useChatStore } from "@/stores/chat";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How a send ended. */
type Outcome = "done" | "error" | "stopped" | "interrupted";

/** A short session title from the first question. */
function titleFrom(question: string): string {
  const line = question.replace(/\s+/g, " ").trim();
  return line.length > 60 ? `${line.slice(0, 57).trimEnd()}…` : line;
}

/**
 * Send a question and stream its answer into the chat store; creates the session first when
 * there is none. When the stream ends the stored conversation is refetched, then the live
 * answer is dropped so the stored one takes its place without a jump.
 *
 * Each send owns an AbortController that doubles as its token in the store: everything after an
 * `await` only touches the live answer if it still belongs to this send, so the delayed cleanup
 * of a stopped answer never wipes a newer one.
 */
export function useSendMessage(sessionId: string | null) {
  const client = useQueryClient();
  const router = useRouter();
  const createSession = useCreateSession();

  return React.useCallback(
    async (question: string) => {
      let sid = sessionId;
      if (!sid) {
        try {
          const created = await createSession.mutateAsync(titleFrom(question));
          sid = created.id;
          router.replace(`/chat?session=${encodeURIComponent(sid)}`);
        } catch (error) {
          const store = useChatStore.getState();
          store.setError("new", errorMessage(error));
          store.restoreDraft("new", question);
          return;
        }
      }
      const token = new AbortController();
      const stored = client.getQueryData<ChatSessionDetail>(queryKeys.session(sid));
      useChatStore.getState().start({
        token,
        sessionId: sid,
        fromNew: !sessionId,
        question,
        baseCount: stored?.messages?.length ?? null,
      });

      let outcome: Outcome = "interrupted";
      let received = false; // any event at all
      let gotSources = false;
      try {
        for await (const event of streamMessage(sid, question, token.signal)) {
          received = true;
          const s = useChatStore.getState();
          if (event.type === "sources") {
            gotSources = true;
            s.patchLive(token, { sources: event.citations });
          } else if (event.type === "delta") {
            s.appendDelta(token, event.text);
          } else if (event.type === "done") {
            outcome = "done";
            s.patchLive(token, {
              status: "done",
              message: event.message,
              text: event.message.content,
            });
          } else if (event.type === "error") {
            outcome = "error";
            s.setError(sid, event.detail);
          }
        }
        // The stream closed without `done` or `error`: a proxy cut it, or the server died.
        if (token.signal.aborted) outcome = "stopped";
      } catch (error) {
        if (token.signal.aborted) outcome = "stopped";
        else if (received) outcome = "interrupted";
        else {
          outcome = "error";
          useChatStore.getState().setError(sid, errorMessage(error));
        }
      }

      // Refused before anything was retrieved (rate limit, validation): keep the question.
      if (outcome === "error" && !gotSources) useChatStore.getState().restoreDraft(sid, question);

      const owns = () => useChatStore.getState().live?.token === token;
      void client.invalidateQueries({ queryKey: queryKeys.sessions });

      if (outcome === "interrupted") {
        // Keep the partial answer in place, marked, instead of silently replacing it.
        useChatStore.getState().patchLive(token, { status: "interrupted" });
        void client.invalidateQueries({ queryKey: queryKeys.session(sid) });
        return;
      }

      if (outcome === "stopped") await sleep(500); // the server stores the partial answer as it closes
      await client.refetchQueries({ queryKey: queryKeys.session(sid) });
      if (owns()) useChatStore.getState().clearLive(token);
      if (outcome === "stopped") {
        await sleep(1500);
        void client.invalidateQueries({ queryKey: queryKeys.session(sid) });
      }
    },
    [sessionId, client, router, createSession],
  );
}
