"use client";

import { useQueryClient } from "@tanstack/react-query";
import * as React from "react";
import { errorMessage } from "@/lib/api/errors";
import type { Visibility } from "@/lib/api/types";
import { uploadFile } from "@/lib/api/upload";
import { queryKeys } from "@/lib/queries/keys";
import { useUploads } from "@/stores/uploads";

let counter = 0;

/** Start one XHR upload per file; progress and outcome land in the uploads store. */
export function useUploadFiles() {
  const client = useQueryClient();
  const { add, update } = useUploads.getState();

  return React.useCallback(
    (files: Iterable<File>, visibility: Visibility) => {
      for (const file of files) {
        counter += 1;
        const id = `upload-${Date.now()}-${counter}`;
        const handle = uploadFile(file, { visibility }, (progress) => update(id, { progress }));
        add({
          id,
          name: file.name,
          size: file.size,
          progress: 0,
          state: "uploading",
          error: null,
          abort: handle.abort,
        });
        handle.promise.then(
          () => {
            update(id, { state: "done", progress: 1, abort: null });
            void client.invalidateQueries({ queryKey: queryKeys.documents });
          },
          (error: unknown) =>
            update(id, { state: "error", error: errorMessage(error), abort: null }),
        );
      }
    },
    [add, update, client],
  );
}
