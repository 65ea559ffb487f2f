export const CSRF_COOKIE = "archivist_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

/** The CSRF token the API set at sign-in; cookie-authenticated writes echo it in a header. */
export function csrfToken(): string | null {
  if (typeof document === "undefined") return null;
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join("="));
  }
  return null;
}

export function isWrite(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
}

/** The header that carries the CSRF token on a write (none when signed out). */
export function csrfHeaders(): Record<string, string> {
  const token = csrfToken();
  return token ? { [CSRF_HEADER]: token } : {};
}
