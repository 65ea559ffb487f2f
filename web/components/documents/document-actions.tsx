"use client";

import { Download, MoreHorizontal, Pencil, RefreshCw, Trash2 } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Toast } from "@/components/ui/toast";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { errorMessage } from "@/lib/api/errors";
import type { Document } from "@/lib/api/types";
import { downloadUrl, useDeleteDocument, useReindexDocument } from "@/lib/queries/documents";
import { EditDocumentDialog } from "./edit-document-dialog";

export function DocumentActions({ doc }: { doc: Document }) {
  const [editing, setEditing] = React.useState(false);
  const [deleting, setDeleting] = React.useState(false);
  const remove = useDeleteDocument();
  const reindex = useReindexDocument();

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="icon-sm" aria-label={`Actions for ${doc.filename}`}>
            <MoreHorizontal />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          <DropdownMenuItem asChild>
            <a href={downloadUrl(doc.file_id)} download={doc.filename}>
              <Download aria-hidden="true" />
              Download
            </a>
          </DropdownMenuItem>
          <DropdownMenuItem onSelect={() => setEditing(true)}>
            <Pencil aria-hidden="true" />
            Edit title and sharing
          </DropdownMenuItem>
          <DropdownMenuItem onSelect={() => reindex.mutate(doc.id)} disabled={reindex.isPending}>
            <RefreshCw aria-hidden="true" />
            Reindex
          </DropdownMenuItem>
          <DropdownMenuSeparator />
          <DropdownMenuItem variant="destructive" onSelect={() => setDeleting(true)}>
            <Trash2 aria-hidden="true" />
            Delete
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      {reindex.error ? (
        <Toast onDismiss={() => reindex.reset()}>
          Reindexing <span className="font-medium break-all">{doc.filename}</span> failed:{" "}
          {errorMessage(reindex.error)}
        </Toast>
      ) : null}
      <EditDocumentDialog doc={doc} open={editing} onOpenChange={setEditing} />
      <ConfirmDialog
        open={deleting}
        onOpenChange={(open) => {
          setDeleting(open);
          if (!open) remove.reset();
        }}
        title="Delete document?"
        description={
          <>
            <span className="font-medium break-all text-foreground">{doc.filename}</span> and its
            search index entries will be deleted. This cannot be undone.
          </>
        }
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => remove.mutate(doc.id, { onSuccess: () => setDeleting(false) })}
      />
    </>
  );
}
