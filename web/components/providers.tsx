"use client";

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import * as React from "react";
import { ApiError } from "@/lib/api/errors";
import { queryKeys } from "@/lib/queries/keys";

function makeClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: true,
        retry: (count, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
    // A 401 anywhere means the session ended: refetch `me`, whose failure sends the app
    // guard to the sign-in page.
    queryCache: new QueryCache({ onError: (error) => onUnauthenticated(client, error) }),
    mutationCache: new MutationCache({ onError: (error) => onUnauthenticated(client, error) }),
  });
  return client;
}

function onUnauthenticated(client: QueryClient, error: unknown): void {
  if (error instanceof ApiError && error.status === 401) {
    void client.invalidateQueries({ queryKey: queryKeys.me });
  }
}

export function Providers({ children }: { children: React.ReactNode }) {
  const [client] = React.useState(makeClient);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
