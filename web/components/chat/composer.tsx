"use client";

import { ArrowUp, Square } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { useChatStore } from "@/stores/chat";

interface ComposerProps {
  draftKey: string;
  busy: boolean;
  /** Why sending is not possible right now (shown under the box), if it is not. */
  blocked?: string;
  onSend: (text: string) => void;
  onStop: () => void;
}

/** The question box: Enter sends, Shift+Enter adds a line; Stop while an answer streams. */
export function Composer({ draftKey, busy, blocked, onSend, onStop }: ComposerProps) {
  const text = useChatStore((s) => s.drafts[draftKey] ?? "");
  const setDraft = useChatStore((s) => s.setDraft);
  const ref = React.useRef<HTMLTextAreaElement>(null);

  React.useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
  }, [text]);

  React.useEffect(() => ref.current?.focus(), [draftKey]);

  const send = () => {
    const question = text.trim();
    if (!question || busy || blocked) return;
    setDraft(draftKey, "");
    onSend(question);
  };

  return (
    <div className="mx-auto grid w-full max-w-3xl gap-1.5">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
        className="flex w-full items-end gap-2 rounded-2xl border bg-background p-2 shadow-sm focus-within:border-ring focus-within:ring-2 focus-within:ring-ring/30"
      >
        <Label htmlFor="chat-message" className="sr-only">
          Message
        </Label>
        <Textarea
          ref={ref}
          id="chat-message"
          rows={1}
          placeholder="Ask about your documents…"
          className="max-h-[200px] min-h-10 flex-1 resize-none border-0 bg-transparent shadow-none focus-visible:outline-none"
          value={text}
          aria-describedby={blocked ? "chat-blocked" : undefined}
          onChange={(e) => setDraft(draftKey, e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        {busy ? (
          <Button type="button" variant="secondary" onClick={onStop} className="shrink-0">
            <Square aria-hidden="true" className="fill-current" />
            Stop
          </Button>
        ) : (
          <Button type="submit" disabled={!text.trim() || !!blocked} className="shrink-0">
            <ArrowUp aria-hidden="true" />
            Send
          </Button>
        )}
      </form>
      {blocked ? (
        <p id="chat-blocked" className="px-2 text-xs text-muted-foreground">
          {blocked}
        </p>
      ) : null}
    </div>
  );
}
