"use client";

import { BookOpen, Loader2 } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import type { Citation } from "@/lib/api/types";
import { cn } from "@/lib/utils";
import { useChatStore } from "@/stores/chat";
import { Markdown } from "./markdown";

export function UserBubble({ text }: { text: string }) {
  return (
    <div className="flex justify-end" data-role="user">
      <div className="max-w-[85%] rounded-2xl rounded-br-sm bg-primary px-4 py-2.5 text-sm whitespace-pre-wrap text-primary-foreground">
        {text}
      </div>
    </div>
  );
}

interface AssistantBubbleProps {
  text: string;
  citations: Citation[];
  streaming?: boolean;
  note?: string;
}

export function AssistantBubble({
  text,
  citations,
  streaming = false,
  note,
}: AssistantBubbleProps) {
  const openSources = useChatStore((s) => s.openSources);
  const known = React.useMemo(() => new Set(citations.map((c) => c.n)), [citations]);
  const onCite = React.useCallback(
    (n: number) => openSources(citations, n),
    [openSources, citations],
  );

  return (
    <div className="flex justify-start" data-role="assistant" aria-busy={streaming || undefined}>
      <div className="grid max-w-full min-w-0 gap-2 sm:max-w-[90%]">
        <div
          className={cn(
            "rounded-2xl rounded-bl-sm border bg-card px-4 py-3",
            streaming && !text && "text-muted-foreground",
          )}
        >
          {text ? (
            <Markdown text={text} known={known} onCite={onCite} />
          ) : streaming ? (
            <span className="flex items-center gap-2 text-sm">
              <Loader2 className="size-4 animate-spin" aria-hidden="true" />
              Searching your documents…
            </span>
          ) : null}
          {streaming && text ? (
            <span
              className="ml-0.5 inline-block h-4 w-1.5 animate-pulse rounded-sm bg-foreground/60 align-middle"
              aria-hidden="true"
            />
          ) : null}
        </div>
        <div className="flex flex-wrap items-center gap-2 px-1">
          {citations.length ? (
            <Button
              variant="ghost"
              size="sm"
              className="h-7 px-2 text-muted-foreground"
              onClick={() => openSources(citations, null)}
            >
              <BookOpen aria-hidden="true" />
              {citations.length} {citations.length === 1 ? "source" : "sources"}
            </Button>
          ) : null}
          {note ? <span className="text-xs text-muted-foreground">{note}</span> : null}
        </div>
      </div>
    </div>
  );
}
