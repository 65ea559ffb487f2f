/** An API failure: the `{error, detail}` body the server sends, plus status and Retry-After. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfter: number | null;

  constructor(status: number, code: string, detail: string, retryAfter: number | null = null) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

function retryAfterSeconds(headers: Headers | null): number | null {
  const value = headers?.get("Retry-After");
  if (!value) return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : null;
}

const FALLBACK: Record<number, string> = {
  401: "You are signed out.",
  403: "Your role does not allow this action.",
  404: "Not found.",
  413: "The file is too large.",
  415: "This file type is not supported.",
  429: "Too many requests.",
  503: "A service is unavailable; try again shortly.",
};

/** Build an ApiError from a status, headers and a parsed (or unparsable) body. */
export function toApiError(status: number, headers: Headers | null, body: unknown): ApiError {
  let code = "HTTPError";
  let detail = FALLBACK[status] ?? `Request failed (${status}).`;
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    if (typeof record.error === "string") code = record.error;
    if (typeof record.detail === "string" && record.detail) detail = record.detail;
  }
  return new ApiError(status, code, detail, retryAfterSeconds(headers));
}

/** A response body's text as JSON, or null when it is empty or not JSON. */
export function parseBody(text: string | null | undefined): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The ApiError for a failed fetch() response (reads its `{error, detail}` body if any). */
export async function responseError(response: Response): Promise<ApiError> {
  let text = "";
  try {
    text = await response.text();
  } catch {
    text = "";
  }
  return toApiError(response.status, response.headers, parseBody(text));
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429 && error.retryAfter) {
      return `${error.message.replace(/\.?$/, ".")} Try again in ${error.retryAfter} seconds.`;
    }
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
