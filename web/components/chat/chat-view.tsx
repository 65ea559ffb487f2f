"use client";

import { PanelLeft, SquarePen } from "lucide-react";
import { useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTitle } from "@/components/ui/dialog";
import { useSession } from "@/lib/queries/chat";
import { isActive, liveFor, useChatStore } from "@/stores/chat";
import { Composer } from "./composer";
import { Conversation } from "./conversation";
import { SessionList } from "./session-list";
import { SourcesPanel } from "./sources-panel";
import { useSendMessage } from "./use-send-message";

export function ChatView() {
  const router = useRouter();
  const sessionId = useSearchParams().get("session");
  const session = useSession(sessionId);
  const send = useSendMessage(sessionId);
  // An answer streams in one chat at a time: Stop belongs to that chat only, and other chats
  // wait for it instead of silently cutting it off.
  const busy = useChatStore((s) => isActive(liveFor(s.live, sessionId)));
  const streamingElsewhere = useChatStore((s) => isActive(s.live) && !liveFor(s.live, sessionId));
  // A chat started from "New chat" has reached its own address: from now on "New chat" is
  // another chat.
  const arrived = useChatStore((s) =>
    s.live?.fromNew && s.live.sessionId === sessionId ? s.live.token : null,
  );
  const patchLive = useChatStore((s) => s.patchLive);
  React.useEffect(() => {
    if (arrived) patchLive(arrived, { fromNew: false });
  }, [arrived, patchLive]);
  const stop = useChatStore((s) => s.stop);
  const setError = useChatStore((s) => s.setError);
  const [listOpen, setListOpen] = React.useState(false);

  const newChat = () => {
    setError("new", null);
    router.push("/chat");
  };

  return (
    <div className="flex h-full min-h-0">
      <aside
        className="hidden w-72 shrink-0 flex-col border-r bg-muted/30 md:flex"
        aria-label="Chat history"
      >
        <h2 className="px-4 pt-4 pb-1 text-xs font-semibold tracking-wide text-muted-foreground uppercase">
          Chats
        </h2>
        <div className="min-h-0 flex-1 overflow-y-auto">
          <SessionList activeId={sessionId} />
        </div>
      </aside>
      <Dialog open={listOpen} onOpenChange={setListOpen}>
        <DialogContent side="right" className="p-2 pt-4" aria-describedby={undefined}>
          <DialogTitle className="px-2 text-base">Chats</DialogTitle>
          <SessionList activeId={sessionId} onNavigate={() => setListOpen(false)} />
        </DialogContent>
      </Dialog>
      <section className="flex min-w-0 flex-1 flex-col">
        <div className="flex h-12 shrink-0 items-center gap-2 border-b px-3">
          <Button
            variant="ghost"
            size="icon-sm"
            className="md:hidden"
            aria-label="Show chats"
            onClick={() => setListOpen(true)}
          >
            <PanelLeft />
          </Button>
          <h1 className="min-w-0 flex-1 truncate text-sm font-medium">
            {sessionId ? (session.data?.title ?? "") : "New conversation"}
          </h1>
          <Button variant="outline" size="sm" onClick={newChat}>
            <SquarePen aria-hidden="true" />
            New chat
          </Button>
        </div>
        <Conversation sessionId={sessionId} />
        <div className="shrink-0 px-3 pt-1 pb-3 sm:px-4 sm:pb-4">
          <Composer
            draftKey={sessionId ?? "new"}
            busy={busy}
            blocked={
              streamingElsewhere ? "An answer is still streaming in another chat." : undefined
            }
            onSend={(text) => void send(text)}
            onStop={stop}
          />
        </div>
      </section>
      <SourcesPanel />
    </div>
  );
}
