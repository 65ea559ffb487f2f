"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import * as React from "react";
import { errorMessage } from "@/lib/api/errors";
import { streamMessage } from "@/lib/api/sse";
import { useCreateSession } from "@/lib/queries/chat";
import { queryKeys } from "@/lib/queries/keys";
import { useChatStore } from "@/stores/chat";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A short session title from the first question. */
function titleFrom(question: string): string {
  const line = question.replace(/\s+/g, " ").trim();
  return line.length > 60 ? `${line.slice(0, 57).trimEnd()}…` : line;
}

/**
 * Send a question and stream its answer into the chat store; creates the session first when
 * there is none. When the stream ends the stored conversation is refetched, then the live
 * answer is dropped so the stored one takes its place without a jump.
 */
export function useSendMessage(sessionId: string | null) {
  const client = useQueryClient();
  const router = useRouter();
  const createSession = useCreateSession();

  return React.useCallback(
    async (question: string) => {
      const store = useChatStore.getState();
      let sid = sessionId;
      if (!sid) {
        try {
          const created = await createSession.mutateAsync(titleFrom(question));
          sid = created.id;
          router.replace(`/chat?session=${encodeURIComponent(sid)}`);
        } catch (error) {
          store.setError("new", errorMessage(error));
          return;
        }
      }
      const controller = new AbortController();
      store.start(sid, question, controller);
      let stopped = false;
      try {
        for await (const event of streamMessage(sid, question, controller.signal)) {
          const s = useChatStore.getState();
          if (event.type === "sources") s.patchLive({ sources: event.citations });
          else if (event.type === "delta") s.appendDelta(event.text);
          else if (event.type === "done")
            s.patchLive({ status: "done", message: event.message, text: event.message.content });
          else if (event.type === "error") s.setError(sid, event.detail);
        }
      } catch (error) {
        if (controller.signal.aborted) stopped = true;
        else useChatStore.getState().setError(sid, errorMessage(error));
      }
      if (stopped) await sleep(500); // the server stores the partial answer as it closes
      await client.refetchQueries({ queryKey: queryKeys.session(sid) });
      void client.invalidateQueries({ queryKey: queryKeys.sessions });
      if (useChatStore.getState().live?.sessionId === sid) useChatStore.getState().clearLive();
      if (stopped) {
        await sleep(1500);
        void client.invalidateQueries({ queryKey: queryKeys.session(sid) });
      }
    },
    [sessionId, client, router, createSession],
  );
}
