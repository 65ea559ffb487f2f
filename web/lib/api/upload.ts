import { csrfHeaders } from "./csrf";
import { ApiError, parseBody, toApiError } from "./errors";
import type { UploadAccepted, UploadForm } from "./types";

export interface UploadHandle {
  promise: Promise<UploadAccepted>;
  abort: () => void;
}

type UploadFields = Omit<UploadForm, "file">;

/**
 * POST /api/files with XMLHttpRequest, which (unlike fetch) reports upload progress.
 * `onProgress` gets a fraction in [0, 1].
 */
export function uploadFile(
  file: File,
  fields: UploadFields,
  onProgress: (fraction: number) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<UploadAccepted>((resolve, reject) => {
    const form = new FormData();
    form.append("file", file, file.name);
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined && value !== "") form.append(key, String(value));
    }
    xhr.open("POST", "/api/files");
    xhr.withCredentials = true;
    xhr.responseType = "text";
    for (const [name, value] of Object.entries(csrfHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body = parseBody(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body as UploadAccepted);
        return;
      }
      const headers = new Headers();
      const retry = xhr.getResponseHeader("Retry-After");
      if (retry) headers.set("Retry-After", retry);
      reject(toApiError(xhr.status, headers, body));
    };
    xhr.onerror = () =>
      reject(new ApiError(0, "NetworkError", "The upload failed: network error."));
    xhr.onabort = () => reject(new ApiError(0, "Aborted", "Upload cancelled."));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
