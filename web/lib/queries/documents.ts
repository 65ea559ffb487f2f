"use client";

import {
  type InfiniteData,
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQueries,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import * as React from "react";
import { api, unwrap } from "@/lib/api/client";
import type { Document, DocumentUpdate } from "@/lib/api/types";
import { queryKeys } from "./keys";

const FINAL = new Set<Document["status"]>(["indexed", "failed"]);
export const isFinal = (doc: Document) => FINAL.has(doc.status);

const POLL_MS = 2000;

type DocumentPage = Awaited<ReturnType<typeof fetchDocuments>>;

function fetchDocuments(q: string, cursor: string | null) {
  return unwrap(
    api.GET("/api/documents", {
      params: { query: { limit: 50, cursor: cursor ?? undefined, q: q || undefined } },
    }),
  );
}

function fetchDocument(id: string) {
  return unwrap(api.GET("/api/documents/{document_id}", { params: { path: { document_id: id } } }));
}

/**
 * Visible documents, newest first. While some are still being processed, only those are
 * polled (one small request each) and patched into the loaded pages, instead of refetching
 * every page of the list every two seconds.
 */
export function useDocuments(q: string) {
  const client = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: queryKeys.documentList(q),
    queryFn: ({ pageParam }) => fetchDocuments(q, pageParam),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });

  const pendingIds = React.useMemo(() => {
    const ids = new Set<string>();
    for (const page of list.data?.pages ?? []) {
      for (const doc of page.items) if (!isFinal(doc)) ids.add(doc.id);
    }
    return [...ids];
  }, [list.data]);

  const polled = useQueries({
    queries: pendingIds.map((id) => ({
      queryKey: queryKeys.document(id),
      queryFn: () => fetchDocument(id),
      refetchInterval: (query: { state: { data?: Document; status: string } }) =>
        query.state.status === "error" || (query.state.data && isFinal(query.state.data))
          ? false
          : POLL_MS,
      // Always ask again on mount: the list said this document was still in progress.
      staleTime: 0,
    })),
  });

  // Fold fresh states into every loaded list (any filter) that holds those documents, but only
  // where the poll is newer than the list: a cached detail must not undo a newer list entry.
  const fresh = polled.flatMap((p) => (p.data ? [{ doc: p.data, at: p.dataUpdatedAt }] : []));
  const freshKey = fresh.map(({ doc, at }) => `${doc.id}@${at}`).join(",");
  React.useEffect(() => {
    if (!fresh.length) return;
    const lists = client.getQueryCache().findAll({ queryKey: [...queryKeys.documents, "list"] });
    for (const query of lists) {
      const data = query.state.data as InfiniteData<DocumentPage> | undefined;
      if (!data) continue;
      const byId = new Map(
        fresh.filter(({ at }) => at > query.state.dataUpdatedAt).map(({ doc }) => [doc.id, doc]),
      );
      if (!byId.size) continue;
      let changed = false;
      const pages = data.pages.map((page) => ({
        ...page,
        items: page.items.map((doc) => {
          const next = byId.get(doc.id);
          if (!next || (next.status === doc.status && next.updated_at === doc.updated_at)) {
            return doc;
          }
          changed = true;
          return next;
        }),
      }));
      if (changed) {
        client.setQueryData(
          query.queryKey,
          { ...data, pages },
          {
            updatedAt: query.state.dataUpdatedAt,
          },
        );
      }
    }
    // `freshKey` stands for `fresh`, which is a new array on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, freshKey]);

  return list;
}

export function useDocument(id: string | null) {
  return useQuery({
    queryKey: queryKeys.document(id ?? ""),
    queryFn: () => fetchDocument(id!),
    enabled: !!id,
    staleTime: 5 * 60_000,
  });
}

export function useDocumentStats() {
  return useQuery({
    queryKey: queryKeys.documentStats,
    queryFn: () => unwrap(api.GET("/api/documents/stats")),
    refetchInterval: 5000,
  });
}

function useInvalidateDocuments() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: queryKeys.documents });
}

export function useUpdateDocument() {
  const invalidate = useInvalidateDocuments();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: DocumentUpdate }) =>
      unwrap(
        api.PATCH("/api/documents/{document_id}", { params: { path: { document_id: id } }, body }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteDocument() {
  const invalidate = useInvalidateDocuments();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.DELETE("/api/documents/{document_id}", { params: { path: { document_id: id } } })),
    onSuccess: invalidate,
  });
}

export function useReindexDocument() {
  const invalidate = useInvalidateDocuments();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST("/api/documents/{document_id}/reindex", {
          params: { path: { document_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function downloadUrl(fileId: string): string {
  return `/api/files/${encodeURIComponent(fileId)}/download`;
}
