"use client";

import * as React from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { errorMessage } from "@/lib/api/errors";
import type { Document, Visibility } from "@/lib/api/types";
import { useGroups } from "@/lib/queries/admin";
import { useUpdateDocument } from "@/lib/queries/documents";

interface Props {
  doc: Document;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

/** Rename a document and choose who may see it. */
export function EditDocumentDialog({ doc, open, onOpenChange }: Props) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Edit document</DialogTitle>
          <DialogDescription className="break-all">{doc.filename}</DialogDescription>
        </DialogHeader>
        {/* The content mounts each time the dialog opens, so the form starts from the document. */}
        <EditDocumentForm doc={doc} onDone={() => onOpenChange(false)} />
      </DialogContent>
    </Dialog>
  );
}

function EditDocumentForm({ doc, onDone }: { doc: Document; onDone: () => void }) {
  const update = useUpdateDocument();
  const groups = useGroups();
  const [title, setTitle] = React.useState(doc.title);
  const [visibility, setVisibility] = React.useState<Visibility>(doc.visibility);
  const [groupIds, setGroupIds] = React.useState<string[]>(doc.group_ids);

  const toggleGroup = (id: string, on: boolean) =>
    setGroupIds((ids) => (on ? [...ids, id] : ids.filter((g) => g !== id)));

  const save = (event: React.FormEvent) => {
    event.preventDefault();
    update.mutate(
      {
        id: doc.id,
        body: {
          title: title.trim() || undefined,
          visibility,
          group_ids: visibility === "groups" ? groupIds : [],
        },
      },
      { onSuccess: onDone },
    );
  };

  const groupList = groups.data?.items ?? [];

  return (
    <form onSubmit={save} className="grid gap-4">
      <div className="grid gap-1.5">
        <Label htmlFor="doc-title">Title</Label>
        <Input id="doc-title" value={title} onChange={(e) => setTitle(e.target.value)} />
      </div>
      <div className="grid gap-1.5">
        <Label htmlFor="doc-visibility">Visibility</Label>
        <NativeSelect
          id="doc-visibility"
          value={visibility}
          onChange={(e) => setVisibility(e.target.value as Visibility)}
        >
          <option value="private">Private (only the owner)</option>
          <option value="organization">Organization (everyone)</option>
          <option value="groups">Groups</option>
        </NativeSelect>
      </div>
      {visibility === "groups" ? (
        <fieldset className="grid gap-2 rounded-md border p-3">
          <legend className="px-1 text-sm font-medium">Groups</legend>
          {groups.isLoading ? <p className="text-sm text-muted-foreground">Loading…</p> : null}
          {!groups.isLoading && !groupList.length ? (
            <p className="text-sm text-muted-foreground">
              No groups yet. An admin can create them under Admin → Groups.
            </p>
          ) : null}
          {groupList.map((g) => (
            <label key={g.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                className="size-4 accent-primary"
                checked={groupIds.includes(g.id)}
                onChange={(e) => toggleGroup(g.id, e.target.checked)}
              />
              {g.name}
            </label>
          ))}
        </fieldset>
      ) : null}
      {update.error ? <Alert variant="destructive">{errorMessage(update.error)}</Alert> : null}
      <DialogFooter>
        <Button variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" disabled={update.isPending}>
          Save
        </Button>
      </DialogFooter>
    </form>
  );
}
