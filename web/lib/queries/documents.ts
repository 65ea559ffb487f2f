"use client";

import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Document, DocumentUpdate } from "@/lib/api/types";
import { queryKeys } from "./keys";

const FINAL = new Set<Document["status"]>(["indexed", "failed"]);
export const isFinal = (doc: Document) => FINAL.has(doc.status);

/** Visible documents, newest first; polls while any of them is still being processed. */
export function useDocuments(q: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.documentList(q),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/documents", {
          params: { query: { limit: 50, cursor: pageParam ?? undefined, q: q || undefined } },
        }),
      ),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    getNextPageParam: (last) => last.next_cursor ?? null,
    refetchInterval: (query) => {
      const pages = query.state.data?.pages ?? [];
      return pages.some((p) => p.items.some((d) => !isFinal(d))) ? 2000 : false;
    },
  });
}

export function useDocument(id: string | null) {
  return useQuery({
    queryKey: queryKeys.document(id ?? ""),
    queryFn: () =>
      unwrap(api.GET("/api/documents/{document_id}", { params: { path: { document_id: id! } } })),
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
