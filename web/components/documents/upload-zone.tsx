"use client";

import { UploadCloud } from "lucide-react";
import * as React from "react";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import type { Visibility } from "@/lib/api/types";
import { cn } from "@/lib/utils";
import { useUploadFiles } from "./use-upload-files";

/** File picker and drop zone; each file becomes its own upload with a progress bar. */
export function UploadZone() {
  const upload = useUploadFiles();
  const [visibility, setVisibility] = React.useState<Visibility>("private");
  const [dragging, setDragging] = React.useState(false);
  const depth = React.useRef(0);

  const onDrop = (event: React.DragEvent) => {
    event.preventDefault();
    depth.current = 0;
    setDragging(false);
    if (event.dataTransfer.files.length) upload(Array.from(event.dataTransfer.files), visibility);
  };

  return (
    <div
      onDragEnter={(e) => {
        e.preventDefault();
        depth.current += 1;
        setDragging(true);
      }}
      onDragOver={(e) => e.preventDefault()}
      onDragLeave={() => {
        depth.current -= 1;
        if (depth.current <= 0) setDragging(false);
      }}
      onDrop={onDrop}
      data-testid="drop-zone"
      className={cn(
        "flex flex-col items-center gap-3 rounded-xl border-2 border-dashed px-4 py-6 text-center transition-colors sm:flex-row sm:justify-between sm:text-left",
        dragging ? "border-primary bg-primary/5" : "border-border",
      )}
    >
      <div className="flex items-center gap-3">
        <UploadCloud className="hidden size-8 text-muted-foreground sm:block" aria-hidden="true" />
        <div>
          <p className="font-medium">Drop files here to upload</p>
          <p className="text-sm text-muted-foreground">
            PDF, Word, PowerPoint, Excel, HTML, Markdown, text, CSV, e-mail, JSON.
          </p>
        </div>
      </div>
      <div className="flex flex-wrap items-center justify-center gap-2">
        <Label htmlFor="upload-visibility" className="sr-only">
          Share new uploads with
        </Label>
        <NativeSelect
          id="upload-visibility"
          value={visibility}
          onChange={(e) => setVisibility(e.target.value as Visibility)}
        >
          <option value="private">Only me</option>
          <option value="organization">Whole organization</option>
        </NativeSelect>
        <input
          id="upload-files"
          type="file"
          multiple
          className="peer sr-only"
          onChange={(e) => {
            if (e.target.files?.length) upload(Array.from(e.target.files), visibility);
            e.target.value = "";
          }}
        />
        <label
          htmlFor="upload-files"
          className="inline-flex h-9 cursor-pointer items-center gap-2 rounded-md bg-primary px-4 text-sm font-medium text-primary-foreground shadow-sm hover:bg-primary/90 peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-ring"
        >
          Upload files
        </label>
      </div>
    </div>
  );
}
