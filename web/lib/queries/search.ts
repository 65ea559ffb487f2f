"use client";

import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import { queryKeys } from "./keys";

/** A hit as the client returns it (openapi-fetch widens the [start, end] tuples). */
export type SearchHit = NonNullable<ReturnType<typeof useSearch>["data"]>["results"][number];

export function useSearch(query: string) {
  return useQuery({
    queryKey: queryKeys.search(query),
    queryFn: () => unwrap(api.POST("/api/search", { body: { query, limit: 20 } })),
    enabled: query.trim().length > 0,
    staleTime: 30_000,
  });
}
