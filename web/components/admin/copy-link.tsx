"use client";

import { Check, Copy } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

interface CopyLinkProps {
  id: string;
  label: string;
  link: string;
  children?: React.ReactNode;
}

/** A one-time link shown once: read-only, selected on focus, with a copy button. */
export function CopyLink({ id, label, link, children }: CopyLinkProps) {
  // Remembering which link was copied: a new link is not "Copied" yet.
  const [copiedLink, setCopiedLink] = React.useState<string | null>(null);
  const copied = copiedLink === link;
  const ref = React.useRef<HTMLInputElement>(null);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopiedLink(link);
    } catch {
      // No clipboard access (e.g. plain http): select the link so Ctrl+C copies it.
      ref.current?.focus();
      ref.current?.select();
    }
  };

  return (
    <div className="grid gap-1.5 rounded-md border bg-muted/40 p-3">
      <Label htmlFor={id}>{label}</Label>
      <div className="flex gap-2">
        <Input
          id={id}
          ref={ref}
          readOnly
          value={link}
          className="font-mono text-xs"
          onFocus={(e) => e.target.select()}
        />
        <Button variant="outline" onClick={() => void copy()}>
          {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
          {copied ? "Copied" : "Copy link"}
        </Button>
      </div>
      {children ? <p className="text-xs text-muted-foreground">{children}</p> : null}
    </div>
  );
}
