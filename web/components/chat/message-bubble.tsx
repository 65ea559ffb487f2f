"use client";

import { BookOpen, FileSearch, Loader2 } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import type { Citation, Grounding, Sentence } from "@/lib/api/types";
import { cn } from "@/lib/utils";
import { useChatStore } from "@/stores/chat";
import { GroundingNote } from "./grounding-note";
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
  /** How the stored answer was checked against its sources (null while it streams). */
  grounding?: Grounding | null;
  /** The stored answer's sentences, by offsets into `text`. */
  sentences?: Sentence[];
  streaming?: boolean;
  note?: string;
}

const NO_SENTENCES: Sentence[] = [];

export function AssistantBubble({
  text,
  citations,
  grounding = null,
  sentences = NO_SENTENCES,
  streaming = false,
  note,
}: AssistantBubbleProps) {
  const openSources = useChatStore((s) => s.openSources);
  const known = React.useMemo(() => new Set(citations.map((c) => c.n)), [citations]);
  // A marker in a checked sentence opens its source at the span that backs that sentence.
  const onCite = React.useCallback(
    (n: number, index: number | null) => {
      const s = index === null ? undefined : sentences[index];
      const quote =
        s && s.citation === n && s.quote_start != null && s.quote_end != null
          ? { start: s.quote_start, end: s.quote_end }
          : null;
      openSources(citations, n, quote);
    },
    [openSources, citations, sentences],
  );
  const notFound = grounding === "not_found";

  return (
    <div
      className="flex justify-start"
      data-role="assistant"
      data-grounding={grounding ?? undefined}
      aria-busy={streaming || undefined}
    >
      <div className="grid max-w-full min-w-0 gap-2 sm:max-w-[90%]">
        <div
          className={cn(
            "rounded-2xl rounded-bl-sm border bg-card px-4 py-3",
            streaming && !text && "text-muted-foreground",
            notFound && "border-dashed border-primary/30 bg-primary/5",
          )}
        >
          {notFound ? (
            <p className="mb-1.5 flex items-center gap-1.5 text-xs font-medium text-primary">
              <FileSearch className="size-3.5" aria-hidden="true" />
              Not in your documents
            </p>
          ) : null}
          {text ? (
            <Markdown
              text={text}
              known={known}
              onCite={onCite}
              sentences={streaming ? undefined : sentences}
            />
          ) : streaming ? (
            <span className="flex items-center gap-2 text-sm">
              <Loader2 className="size-4 animate-spin" aria-hidden="true" />
              {citations.length ? "Answering from your documents…" : "Searching your documents…"}
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
          {streaming ? null : (
            <GroundingNote grounding={grounding} sentences={sentences} text={text} />
          )}
          {note ? <span className="text-xs text-muted-foreground">{note}</span> : null}
        </div>
      </div>
    </div>
  );
}
