"use client";

import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { ApiError, errorMessage } from "@/lib/api/errors";
import type { Visibility } from "@/lib/api/types";
import { type UploadHandle, uploadFile } from "@/lib/api/upload";
import { queryKeys } from "@/lib/queries/keys";
import { useUploads } from "@/stores/uploads";

// A few uploads at a time leave the browser's connections to this server free for the page's
// own requests, and a few hundred files at once do not become a few hundred requests at once.
const CONCURRENCY = 3;
// 429 (rate limited), 503 (a dependency is down) and network errors are worth another try.
const RETRIES = 3;
// However many uploads finish, the document lists are refreshed at most once a second.
const REFRESH_MS = 1000;

interface Job {
  id: string;
  file: File;
  visibility: Visibility;
  tries: number;
  cancelled: boolean;
  handle: UploadHandle | null;
}

const waiting: Job[] = [];
let active = 0;
let counter = 0;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;

function refreshSoon(client: QueryClient) {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    void client.invalidateQueries({ queryKey: queryKeys.documents });
  }, REFRESH_MS);
}

function retryable(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    (error.status === 429 || error.status === 503 || error.code === "NetworkError")
  );
}

function pump(client: QueryClient) {
  while (active < CONCURRENCY && waiting.length) {
    const job = waiting.shift();
    if (job && !job.cancelled) run(job, client);
  }
}

function run(job: Job, client: QueryClient) {
  const { update } = useUploads.getState();
  active += 1;
  const handle = uploadFile(job.file, { visibility: job.visibility }, (progress) =>
    update(job.id, { progress }),
  );
  job.handle = handle;
  handle.promise
    .then(
      () => {
        update(job.id, { state: "done", progress: 1, abort: null });
        refreshSoon(client);
      },
      (error: unknown) => {
        if (!job.cancelled && retryable(error) && job.tries < RETRIES) {
          job.tries += 1;
          update(job.id, { progress: 0 });
          const seconds = error.retryAfter ?? 2 ** job.tries;
          setTimeout(() => {
            waiting.unshift(job);
            pump(client);
          }, seconds * 1000);
          return;
        }
        update(job.id, { state: "error", error: errorMessage(error), abort: null });
      },
    )
    .finally(() => {
      job.handle = null;
      active -= 1;
      pump(client);
    });
}

function cancel(job: Job) {
  job.cancelled = true;
  if (job.handle) {
    job.handle.abort(); // rejects with "Upload cancelled."
  } else {
    useUploads
      .getState()
      .update(job.id, { state: "error", error: "Upload cancelled.", abort: null });
  }
}

/** Queue one upload per file; progress and outcome land in the uploads store. */
export function useUploadFiles() {
  const client = useQueryClient();

  return React.useCallback(
    (files: Iterable<File>, visibility: Visibility) => {
      const { add } = useUploads.getState();
      for (const file of files) {
        counter += 1;
        const job: Job = {
          id: `upload-${Date.now()}-${counter}`,
          file,
          visibility,
          tries: 0,
          cancelled: false,
          handle: null,
        };
        add({
          id: job.id,
          name: file.name,
          size: file.size,
          progress: 0,
          state: "uploading",
          error: null,
          abort: () => cancel(job),
        });
        waiting.push(job);
      }
      pump(client);
    },
    [client],
  );
}
