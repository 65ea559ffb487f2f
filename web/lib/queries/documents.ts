"use client";

import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import * as React from "react";
import { api, unwrap } from "@/lib/api/client";
import type { Document, DocumentUpdate } from "@/lib/api/types";
import { usePollDocuments } from "./document-poll";
import { queryKeys } from "./keys";

const FINAL = new Set<Document["status"]>(["indexed", "failed"]);
export const isFinal = (doc: Document) => FINAL.has(doc.status);

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
 * polled (all of them in one request per tick) and patched into the loaded pages, instead of
 * refetching every page of the list.
 */
export function useDocuments(q: string) {
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

  usePollDocuments(pendingIds);
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
