"use client";

import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schemas } from "@/lib/api/client";
import { queryKeys } from "./keys";

export function useUsers(enabled = true) {
  return useQuery({
    queryKey: queryKeys.users,
    queryFn: () =>
      unwrap(api.GET("/api/organization/users", { params: { query: { limit: 200 } } })),
    enabled,
  });
}

export function useGroups() {
  return useQuery({
    queryKey: queryKeys.groups,
    queryFn: () => unwrap(api.GET("/api/groups", { params: { query: { limit: 200 } } })),
  });
}

export function useInvite() {
  return useMutation({
    mutationFn: (body: Schemas["InviteCreate"]) =>
      unwrap(api.POST("/api/organization/invites", { body })),
  });
}

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas["UserUpdate"] }) =>
      unwrap(
        api.PATCH("/api/organization/users/{user_id}", { params: { path: { user_id: id } }, body }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users }),
  });
}

export function useCreateGroup() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => unwrap(api.POST("/api/groups", { body: { name } })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.groups }),
  });
}

export function useGroupMember() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ groupId, userId, add }: { groupId: string; userId: string; add: boolean }) =>
      add
        ? unwrap(
            api.POST("/api/groups/{group_id}/members", {
              params: { path: { group_id: groupId } },
              body: { user_id: userId },
            }),
          )
        : unwrap(
            api.DELETE("/api/groups/{group_id}/members/{user_id}", {
              params: { path: { group_id: groupId, user_id: userId } },
            }),
          ),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.groups }),
  });
}

export function useHealth() {
  return useQuery({
    queryKey: queryKeys.health,
    queryFn: () => unwrap(api.GET("/health")),
    refetchInterval: 10_000,
  });
}

/** A one-time password-reset token for a member (shown once; a new one voids the last). */
export function useIssuePasswordReset() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(
        api.POST("/api/organization/users/{user_id}/password-reset", {
          params: { path: { user_id: userId } },
        }),
      ),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.audit }),
  });
}

/** The organization's audit log, newest first, a page at a time. */
export function useAuditEvents(action: string, actorId: string) {
  return useInfiniteQuery({
    queryKey: queryKeys.auditList(action, actorId),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/audit-events", {
          params: {
            query: {
              limit: 50,
              cursor: pageParam ?? undefined,
              action: action || undefined,
              actor_id: actorId || undefined,
            },
          },
        }),
      ),
    initialPageParam: null as string | null,
    placeholderData: keepPreviousData,
    getNextPageParam: (last) => last.next_cursor ?? null,
  });
}
