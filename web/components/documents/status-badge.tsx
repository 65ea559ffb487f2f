"use client";

import { AlertCircle, CheckCircle2, Clock, Loader2 } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import type { Document } from "@/lib/api/types";

/** The processing status; a failed document's error shows on hover (title) and on click. */
export function StatusBadge({ doc }: { doc: Document }) {
  switch (doc.status) {
    case "queued":
      return (
        <Badge variant="outline" data-status="queued">
          <Clock aria-hidden="true" />
          queued
        </Badge>
      );
    case "processing":
      return (
        <Badge variant="info" data-status="processing">
          <Loader2 className="animate-spin" aria-hidden="true" />
          processing
        </Badge>
      );
    case "indexed":
      return (
        <Badge variant="success" data-status="indexed">
          <CheckCircle2 aria-hidden="true" />
          indexed
        </Badge>
      );
    case "failed":
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
}
