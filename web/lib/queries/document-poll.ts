"use client";

import { type InfiniteData, type QueryClient, useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { api, unwrap } from "@/lib/api/client";
import { ApiError } from "@/lib/api/errors";
import type { Document } from "@/lib/api/types";
import { queryKeys } from "./keys";

/** The server answers at most this many ids per request (POST /api/documents/statuses). */
export const MAX_POLLED = 500;
export const FIRST_DELAY_MS = 1000;
const QUIET_MAX_MS = 10_000;
const ERROR_MAX_MS = 60_000;

type Page = { items: Document[]; next_cursor?: string | null };

/**
 * How long to wait before the next poll: 1 s after something changed, doubling up to 10 s
 * while nothing does; after a failure, doubling up to a minute, and never sooner than a 429's
 * or 503's Retry-After.
 */
export function nextDelay(previous: number, outcome: "changed" | "same" | ApiError | Error) {
  if (outcome === "changed") return FIRST_DELAY_MS;
  if (outcome === "same") return Math.min(QUIET_MAX_MS, previous * 2);
  const backedOff = Math.min(ERROR_MAX_MS, Math.max(FIRST_DELAY_MS * 2, previous * 2));
  if (outcome instanceof ApiError && (outcome.status === 429 || outcome.status === 503)) {
    return Math.max(backedOff, (outcome.retryAfter ?? 5) * 1000);
  }
  return backedOff;
}

/**
 * Fold fresh states into every loaded document list (any filter) that holds those documents,
 * except lists fetched after the poll was sent, which are newer. Returns whether any list
 * changed, and drops from the lists nothing: a document missing from the answer (deleted, or
 * no longer shared) makes the caller refetch the lists instead.
 */
function fold(client: QueryClient, fresh: Document[], sentAt: number): boolean {
  const byId = new Map(fresh.map((doc) => [doc.id, doc]));
  let changedAny = false;
  const lists = client.getQueryCache().findAll({ queryKey: [...queryKeys.documents, "list"] });
  for (const query of lists) {
    const data = query.state.data as InfiniteData<Page> | undefined;
    if (!data || query.state.dataUpdatedAt > sentAt) continue;
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
      changedAny = true;
      client.setQueryData(query.queryKey, { ...data, pages }, { updatedAt: sentAt });
    }
  }
  for (const doc of fresh) {
    if (client.getQueryData(queryKeys.document(doc.id))) {
      client.setQueryData(queryKeys.document(doc.id), doc);
    }
  }
  return changedAny;
}

/**
 * Poll the given documents until they are no longer pending: ONE request per tick for all of
 * them (the per-user rate limit counts requests), backing off while nothing changes and after
 * errors, and carrying on after transient failures rather than stopping at the first one.
 */
export function usePollDocuments(pendingIds: readonly string[]) {
  const client = useQueryClient();
  const ids = pendingIds.slice(0, MAX_POLLED);
  const key = ids.join(",");
  // Survive the restarts below, so a change in the pending set does not skip a Retry-After.
  const notBefore = React.useRef(0);

  React.useEffect(() => {
    if (!key) return;
    const polled = key.split(",");
    let delay = FIRST_DELAY_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const schedule = (ms: number) => {
      const wait = Math.max(ms, notBefore.current - Date.now());
      timer = setTimeout(() => void tick(), wait);
    };
    const tick = async () => {
      const sentAt = Date.now();
      let outcome: Parameters<typeof nextDelay>[1];
      try {
        const { items } = await unwrap(
          api.POST("/api/documents/statuses", { body: { ids: polled } }),
        );
        if (stopped) return;
        const changed = fold(client, items, sentAt);
        if (items.length < polled.length) {
          void client.invalidateQueries({ queryKey: [...queryKeys.documents, "list"] });
        }
        outcome = changed || items.length < polled.length ? "changed" : "same";
      } catch (error) {
        if (stopped) return;
        outcome = error instanceof Error ? error : new Error(String(error));
      }
      delay = nextDelay(delay, outcome);
      if (typeof outcome !== "string") notBefore.current = Date.now() + delay;
      schedule(delay);
    };

    schedule(FIRST_DELAY_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [client, key]);
}
