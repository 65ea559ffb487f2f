"use client";

import { FileText, Search } from "lucide-react";
import * as React from "react";
import { PageHeader } from "@/components/layout/page-header";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api/errors";
import { isFinal, useDocuments } from "@/lib/queries/documents";
import { DocumentsTable } from "./documents-table";
import { UploadList } from "./upload-list";
import { UploadZone } from "./upload-zone";

export function DocumentsView() {
  const [filter, setFilter] = React.useState("");
  const q = React.useDeferredValue(filter.trim());
  const docs = useDocuments(q);
  const items = React.useMemo(() => docs.data?.pages.flatMap((p) => p.items) ?? [], [docs.data]);
  const pending = items.filter((d) => !isFinal(d)).length;

  return (
    <div className="mx-auto grid w-full max-w-6xl gap-4 p-4 sm:p-6">
      <PageHeader
        title="Documents"
        description="Upload files; Archivist extracts and indexes them for search and chat."
      />
      <UploadZone />
      <UploadList />
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="relative w-full sm:max-w-xs">
          <Search
            className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground"
            aria-hidden="true"
          />
          <Input
            aria-label="Filter documents"
            placeholder="Filter by title or filename"
            className="pl-8"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
        </div>
        {pending ? (
          <p className="text-sm text-muted-foreground" role="status">
            Processing {pending} {pending === 1 ? "document" : "documents"}…
          </p>
        ) : null}
      </div>
      {docs.isPending ? (
        <div className="grid gap-2" aria-busy="true">
          <span className="sr-only">Loading documents…</span>
          {Array.from({ length: 4 }, (_, i) => (
            <Skeleton key={i} className="h-14 w-full" />
          ))}
        </div>
      ) : docs.isError ? (
        <Alert variant="destructive">{errorMessage(docs.error)}</Alert>
      ) : items.length === 0 ? (
        <EmptyState icon={<FileText />} title={q ? "No matching documents" : "No documents yet"}>
          {q ? "Try another filter." : "Upload files above, or drop them anywhere in the box."}
        </EmptyState>
      ) : (
        <>
          <DocumentsTable docs={items} />
          {docs.hasNextPage ? (
            <Button
              variant="outline"
              className="justify-self-center"
              // Not at the cost of a refresh in flight (uploads finishing): cancelled, it would
              // leave the first pages stale and the next one read after an old cursor.
              onClick={() => void docs.fetchNextPage({ cancelRefetch: false })}
              disabled={docs.isFetching}
            >
              {docs.isFetchingNextPage ? "Loading…" : "Load more"}
            </Button>
          ) : null}
        </>
      )}
    </div>
  );
}
