import { Quote, ScissorsLineDashed, TriangleAlert } from "lucide-react";
import type { Grounding, Sentence } from "@/lib/api/types";

/**
 * What the grounding check says about a stored answer, under it. A grounded or unchecked answer
 * needs no note, and one the documents do not answer says so in its own bubble.
 */
export function GroundingNote({
  grounding,
  sentences,
  text,
}: {
  grounding: Grounding | null | undefined;
  sentences: readonly Sentence[];
  text: string;
}) {
  if (grounding === "extractive") {
    return (
      <span className="inline-flex items-center gap-1 text-xs text-muted-foreground">
        <Quote className="size-3.5" aria-hidden="true" />
        Quoted from your documents
      </span>
    );
  }
  if (grounding !== "partial") return null;
  const unsupported = sentences.filter((s) => !s.supported).length;
  if (unsupported) {
    return (
      <span className="inline-flex items-center gap-1 text-xs text-muted-foreground">
        <TriangleAlert className="size-3.5 text-warning" aria-hidden="true" />
        {unsupported === 1
          ? "1 sentence (underlined) was not found in the cited sources"
          : `${unsupported} sentences (underlined) were not found in the cited sources`}
      </span>
    );
  }
  // An answer cut off mid-stream (Stop, a dropped connection) is stored as partial, ending " …".
  if (text.endsWith(" …")) {
    return <span className="text-xs text-muted-foreground">The answer was cut short</span>;
  }
  return (
    <span className="inline-flex items-center gap-1 text-xs text-muted-foreground">
      <ScissorsLineDashed className="size-3.5" aria-hidden="true" />
      Sentences the sources did not support were left out
    </span>
  );
}
