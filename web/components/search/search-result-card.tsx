"use client";

import { Download, FileText } from "lucide-react";
import { downloadUrl } from "@/lib/queries/documents";
import type { SearchHit } from "@/lib/queries/search";
import { HighlightedText } from "./highlighted-text";

/** One hit: title (opens the original file), filename, page and the highlighted passage. */
export function SearchResultCard({ result }: { result: SearchHit }) {
  return (
    <article className="group relative grid gap-1.5 rounded-xl border bg-card p-4 transition-colors hover:border-ring/50">
      <div className="flex min-w-0 items-start gap-2">
        <FileText className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
        <h2 className="min-w-0 flex-1 font-medium">
          <a
            href={downloadUrl(result.file_id)}
            download={result.filename}
            className="break-words after:absolute after:inset-0 after:rounded-xl focus-visible:outline-none group-has-[:focus-visible]:outline-2 group-has-[:focus-visible]:outline-ring hover:underline"
          >
            {result.title}
          </a>
        </h2>
        <Download
          className="size-4 shrink-0 text-muted-foreground opacity-0 transition-opacity group-hover:opacity-100"
          aria-hidden="true"
        />
      </div>
      <p className="flex flex-wrap gap-x-2 text-xs text-muted-foreground">
        <span className="break-all">{result.filename}</span>
        {result.page != null ? <span>· Page {result.page}</span> : null}
      </p>
      <p className="text-sm leading-relaxed text-foreground/90">
        <HighlightedText text={result.snippet} ranges={result.highlights ?? []} />
      </p>
    </article>
  );
}
