"use client";

import { AlertCircle, CheckCircle2, Clock, Loader2 } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import type { Document } from "@/lib/api/types";

// Every status but "failed", which also opens its error.
const BADGE = {
  queued: { variant: "outline", icon: Clock, spin: false },
  processing: { variant: "info", icon: Loader2, spin: true },
  indexed: { variant: "success", icon: CheckCircle2, spin: false },
} as const;

/** The processing status; a failed document's error shows on hover (title) and on click. */
export function StatusBadge({ doc }: { doc: Document }) {
  if (doc.status !== "failed") {
    const { variant, icon: Icon, spin } = BADGE[doc.status];
    return (
      <Badge variant={variant} data-status={doc.status}>
        <Icon className={spin ? "animate-spin" : undefined} aria-hidden="true" />
        {doc.status}
      </Badge>
    );
  }
  return (
    <Popover>
      <PopoverTrigger
        className="rounded-full focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring"
        title={doc.error ?? "Processing failed"}
        aria-label={`failed: show error for ${doc.filename}`}
      >
        <Badge variant="destructive" data-status="failed" className="cursor-pointer">
          <AlertCircle aria-hidden="true" />
          failed
        </Badge>
      </PopoverTrigger>
      <PopoverContent align="start">
        <p className="font-medium">Processing failed</p>
        <p className="mt-1 break-words text-muted-foreground">
          {doc.error ?? "No reason was recorded."}
        </p>
      </PopoverContent>
    </Popover>
  );
}
