import Link from "next/link";
import { cn } from "@/lib/utils";

export function LogoMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" className={cn("size-7", className)}>
      <rect width="32" height="32" rx="7" className="fill-primary" />
      <path d="M9 8h10a4 4 0 0 1 4 4v12H13a4 4 0 0 1-4-4z" className="fill-primary-foreground" />
      <path
        d="M13 13h6M13 17h6M13 21h4"
        className="stroke-primary"
        strokeWidth="1.6"
        strokeLinecap="round"
      />
    </svg>
  );
}

export function Logo({ href = "/chat" }: { href?: string }) {
  return (
    <Link
      href={href}
      className="flex items-center gap-2 rounded-md font-semibold tracking-tight"
      aria-label="Archivist home"
    >
      <LogoMark />
      <span>Archivist</span>
    </Link>
  );
}
