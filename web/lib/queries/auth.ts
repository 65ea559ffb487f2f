"use client";

import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { csrfToken } from "@/lib/api/csrf";
import { ApiError } from "@/lib/api/errors";
import type { Schemas } from "@/lib/api/client";
import type { User } from "@/lib/api/types";
import { resetClientState } from "@/stores/reset";
import { queryKeys } from "./keys";

/** The signed-in user, or null when signed out. */
export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: async () => {
      // The readable CSRF cookie lives exactly as long as the session cookie: without it we are
      // signed out, and asking would only log a 401 in the console.
      if (!csrfToken()) return null;
      try {
        return await unwrap(api.GET("/api/me"));
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** Nothing of the previous user stays: client stores and cached queries start afresh. */
function switchUser(client: QueryClient, user: User | null): void {
  resetClientState();
  client.clear();
  client.setQueryData(queryKeys.me, user);
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["LoginRequest"]) => unwrap(api.POST("/api/auth/login", { body })),
    onSuccess: (data) => switchUser(client, data.user),
  });
}

export function useRegister() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["RegisterRequest"]) =>
      unwrap(api.POST("/api/auth/register", { body })),
    onSuccess: (data) => switchUser(client, data.user),
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      try {
        await unwrap(api.POST("/api/auth/logout"));
      } catch (error) {
        // Already signed out is what we wanted.
        if (!(error instanceof ApiError && error.status === 401)) throw error;
      }
    },
    onSuccess: () => switchUser(client, null),
  });
}
