"use client";

import { Download } from "lucide-react";
import * as React from "react";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { errorMessage } from "@/lib/api/errors";
import type { Citation } from "@/lib/api/types";
import { downloadUrl, useDocument } from "@/lib/queries/documents";
import { cn } from "@/lib/utils";
import { type QuoteSpan, useChatStore } from "@/stores/chat";
import { SourcePassage } from "./source-passage";

function SourceItem({
  citation,
  active,
  quote,
}: {
  citation: Citation;
  active: boolean;
  quote: QuoteSpan | null;
}) {
  const ref = React.useRef<HTMLLIElement>(null);
  const doc = useDocument(citation.document_id);

  // The quoted span of the source asked for, else the source itself.
  React.useEffect(() => {
    if (!active) return;
    const mark = ref.current?.querySelector("mark");
    if (mark) mark.scrollIntoView({ block: "center" });
    else ref.current?.scrollIntoView({ block: "nearest" });
  }, [active, quote]);

  return (
    <li
      ref={ref}
      id={`source-${citation.n}`}
      aria-current={active || undefined}
      className={cn(
        "grid gap-1.5 rounded-lg border p-3 text-sm",
        active && "border-primary bg-primary/5 ring-1 ring-primary",
      )}
    >
      <div className="flex items-start gap-2">
        <span className="mt-0.5 inline-flex h-5 min-w-5 items-center justify-center rounded-sm bg-primary/10 px-1 text-xs font-semibold text-primary">
          {citation.n}
        </span>
        <h3 className="min-w-0 flex-1 font-medium break-words">
          {doc.data ? (
            // Citations carry no file id: the document lookup supplies it.
            <a
              href={downloadUrl(doc.data.file_id)}
              download={doc.data.filename}
              className="inline-flex items-start gap-1.5 rounded-sm underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
            >
              {citation.title}
              <Download
                className="mt-0.5 size-4 shrink-0 text-muted-foreground"
                aria-hidden="true"
              />
              <span className="sr-only">(download {doc.data.filename})</span>
            </a>
          ) : (
            citation.title
          )}
        </h3>
      </div>
      {doc.data || citation.page != null ? (
        <p className="flex flex-wrap gap-x-2 text-xs text-muted-foreground">
          {doc.data ? <span className="break-all">{doc.data.filename}</span> : null}
          {citation.page != null ? <span>Page {citation.page}</span> : null}
        </p>
      ) : null}
      {doc.isError ? (
        <p role="alert" className="text-xs text-destructive">
          The file cannot be opened: {errorMessage(doc.error)}
        </p>
      ) : null}
      <SourcePassage citation={citation} quote={active ? quote : null} />
    </li>
  );
}

/** The sources behind an answer; opened from a citation marker or the "sources" button. */
export function SourcesPanel() {
  const panel = useChatStore((s) => s.panel);
  const setOpen = useChatStore((s) => s.setPanelOpen);
  const citations = [...panel.citations].sort((a, b) => a.n - b.n);

  return (
    <Dialog open={panel.open} onOpenChange={setOpen}>
      <DialogContent side="right" aria-describedby="sources-description">
        <DialogHeader>
          <DialogTitle>Sources</DialogTitle>
          <DialogDescription id="sources-description">
            Passages the answer was drawn from, with the quoted text highlighted.
          </DialogDescription>
        </DialogHeader>
        <ol className="grid gap-3">
          {citations.map((c) => (
            <SourceItem
              key={c.n}
              citation={c}
              active={c.n === panel.active}
              quote={c.n === panel.active ? panel.quote : null}
            />
          ))}
        </ol>
      </DialogContent>
    </Dialog>
  );
}
