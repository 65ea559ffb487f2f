"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Schemas } from "@/lib/api/client";
import { ApiError } from "@/lib/api/errors";
import { queryKeys } from "./keys";

/** Where the signed-in user is signed in (devices and browsers), most recently used first. */
export function useSignIns() {
  return useQuery({
    queryKey: queryKeys.signIns,
    queryFn: () => unwrap(api.GET("/api/me/sessions")),
    refetchInterval: 60_000,
  });
}

/** The new password; the server ends every other session of the user. */
export function useChangePassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["PasswordChange"]) => unwrap(api.POST("/api/me/password", { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.signIns }),
  });
}

function revoke(id: string) {
  return unwrap(
    api.DELETE("/api/me/sessions/{session_id}", { params: { path: { session_id: id } } }),
  );
}

/** Sign out one or more of the user's other sessions (never the current one). */
export function useRevokeSignIns() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (ids: string[]) => {
      // One at a time: a 404 (that session ended meanwhile) must not hide the others' result.
      const failures: unknown[] = [];
      for (const id of ids) {
        try {
          await revoke(id);
        } catch (error) {
          // Already ended (expired, or signed out meanwhile) is what was asked for.
          if (!(error instanceof ApiError && error.status === 404)) failures.push(error);
        }
      }
      if (failures.length) throw failures[0];
    },
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.signIns }),
  });
}

/** Redeem an admin's one-time reset token (no sign-in needed). */
export function useResetPassword() {
  return useMutation({
    mutationFn: (body: Schemas["PasswordReset"]) =>
      unwrap(api.POST("/api/auth/password-reset", { body })),
  });
}
