import createClient, { type Middleware } from "openapi-fetch";
import { csrfHeaders, isWrite } from "./csrf";
import { toApiError } from "./errors";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

const csrf: Middleware = {
  onRequest({ request }) {
    if (isWrite(request.method)) {
      for (const [name, value] of Object.entries(csrfHeaders())) request.headers.set(name, value);
    }
    return request;
  },
};

/** Typed client for the Archivist API (same origin; the session cookie authenticates). */
export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(csrf);

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful call, or throw an ApiError built from the `{error, detail}` body. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(response.status, response.headers, error);
  return data as T;
}
