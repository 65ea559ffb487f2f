import { clsx, type ClassValue } from "clsx";
import { twMerge } from "tailwind-merge";

export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDateTime(iso: string): string {
  return absolute.format(new Date(iso));
}

const precise = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/** With seconds, for logs where the order of close events matters. */
export function formatPreciseDateTime(iso: string): string {
  return precise.format(new Date(iso));
}

/** "3 minutes ago" for recent times, else the date. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return relative.format(Math.round(seconds / 3600), "hour");
  if (abs < 86400 * 7) return relative.format(Math.round(seconds / 86400), "day");
  return absolute.format(new Date(iso));
}

/** True when `text` holds an ASCII control character (URL parsing silently drops tabs/newlines). */
function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * A same-origin path (pathname + search + hash) to return to after sign-in; anything else falls
 * back to the default. The candidate is resolved against this origin the way the browser would
 * resolve it, so "/\t/evil.com", "/\\evil.com" or "/.//evil.com" cannot escape to another host.
 */
export function safeNext(
  next: string | null | undefined,
  fallback = "/chat",
  origin: string | null = typeof window === "undefined" ? null : window.location.origin,
): string {
  if (!next || !origin || !next.startsWith("/") || next.includes("\\") || hasControlChar(next)) {
    return fallback;
  }
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return fallback;
  }
  if (url.origin !== origin) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // A path starting with "//" would be read as another host when navigated to.
  return path.startsWith("/") && !path.startsWith("//") ? path : fallback;
}
