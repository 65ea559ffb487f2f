"use client";

import { CheckCircle2, X, XCircle } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Progress } from "@/components/ui/progress";
import { formatBytes } from "@/lib/utils";
import { useUploads } from "@/stores/uploads";

export function UploadList() {
  const items = useUploads((s) => s.items);
  const remove = useUploads((s) => s.remove);
  const clearFinished = useUploads((s) => s.clearFinished);
  if (!items.length) return null;
  const finished = items.some((it) => it.state !== "uploading");

  return (
    <section aria-label="Uploads" className="grid gap-2 rounded-xl border p-3">
      <div className="flex items-center justify-between">
        <h2 className="text-sm font-medium">Uploads</h2>
        {finished ? (
          <Button variant="ghost" size="sm" onClick={clearFinished}>
            Clear finished
          </Button>
        ) : null}
      </div>
      <ul className="grid gap-2">
        {items.map((it) => (
          <li key={it.id} className="grid gap-1">
            <div className="flex items-center gap-2 text-sm">
              {it.state === "done" ? (
                <CheckCircle2 className="size-4 shrink-0 text-success" aria-label="Uploaded" />
              ) : it.state === "error" ? (
                <XCircle className="size-4 shrink-0 text-destructive" aria-label="Failed" />
              ) : null}
              <span className="min-w-0 flex-1 truncate">{it.name}</span>
              <span className="shrink-0 text-xs text-muted-foreground tabular-nums">
                {it.state === "uploading"
                  ? `${Math.round(it.progress * 100)}%`
                  : formatBytes(it.size)}
              </span>
              {it.state === "uploading" && it.abort ? (
                <Button
                  variant="ghost"
                  size="icon-sm"
                  aria-label={`Cancel upload of ${it.name}`}
                  onClick={() => it.abort?.()}
                >
                  <X />
                </Button>
              ) : (
                <Button
                  variant="ghost"
                  size="icon-sm"
                  aria-label={`Dismiss ${it.name}`}
                  onClick={() => remove(it.id)}
                >
                  <X />
                </Button>
              )}
            </div>
            <Progress
              value={it.progress * 100}
              label={`Uploading ${it.name}`}
              tone={
                it.state === "error" ? "destructive" : it.state === "done" ? "success" : "default"
              }
            />
            {it.error ? (
              <p role="alert" className="text-xs text-destructive">
                {it.error}
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
