"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { ChatSession } from "@/lib/api/types";
import { queryKeys } from "./keys";

export function useSessions() {
  return useQuery({
    queryKey: queryKeys.sessions,
    queryFn: () => unwrap(api.GET("/api/chat/sessions", { params: { query: { limit: 200 } } })),
  });
}

export function useSession(id: string | null) {
  return useQuery({
    queryKey: queryKeys.session(id ?? ""),
    queryFn: () =>
      unwrap(api.GET("/api/chat/sessions/{session_id}", { params: { path: { session_id: id! } } })),
    enabled: !!id,
  });
}

export function useCreateSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (title?: string) => unwrap(api.POST("/api/chat/sessions", { body: { title } })),
    onSuccess: (session) => {
      client.setQueryData(queryKeys.session(session.id), { ...session, messages: [] });
      void client.invalidateQueries({ queryKey: queryKeys.sessions });
    },
  });
}

export function useRenameSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, title }: { id: string; title: string }) =>
      unwrap(
        api.PATCH("/api/chat/sessions/{session_id}", {
          params: { path: { session_id: id } },
          body: { title },
        }),
      ),
    onSuccess: (session: ChatSession) => {
      void client.invalidateQueries({ queryKey: queryKeys.sessions });
      void client.invalidateQueries({ queryKey: queryKeys.session(session.id) });
    },
  });
}

export function useDeleteSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.DELETE("/api/chat/sessions/{session_id}", { params: { path: { session_id: id } } }),
      ),
    onSuccess: (_data, id) => {
      client.removeQueries({ queryKey: queryKeys.session(id) });
      void client.invalidateQueries({ queryKey: queryKeys.sessions });
    },
  });
}
