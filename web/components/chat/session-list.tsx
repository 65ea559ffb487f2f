"use client";

import { useRouter } from "next/navigation";
import * as React from "react";
import { Alert } from "@/components/ui/alert";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api/errors";
import type { ChatSession } from "@/lib/api/types";
import { useDeleteSession, useRenameSession, useSessions } from "@/lib/queries/chat";
import { SessionItem } from "./session-item";

interface Props {
  activeId: string | null;
  onNavigate?: () => void;
}

/** The user's chats, most recently active first, with rename and delete. */
export function SessionList({ activeId, onNavigate }: Props) {
  const router = useRouter();
  const sessions = useSessions();
  const rename = useRenameSession();
  const remove = useDeleteSession();
  const [deleting, setDeleting] = React.useState<ChatSession | null>(null);

  if (sessions.isPending) {
    return (
      <div className="grid gap-2 p-2" aria-busy="true">
        <span className="sr-only">Loading chats…</span>
        {Array.from({ length: 5 }, (_, i) => (
          <Skeleton key={i} className="h-11 w-full" />
        ))}
      </div>
    );
  }
  if (sessions.isError) {
    return (
      <Alert variant="destructive" className="m-2">
        {errorMessage(sessions.error)}
      </Alert>
    );
  }
  const items = sessions.data.items;

  return (
    <>
      {items.length === 0 ? (
        <p className="p-4 text-sm text-muted-foreground">
          No chats yet. Ask a question to start one.
        </p>
      ) : (
        <ul aria-label="Chats" className="grid gap-0.5 p-2">
          {items.map((s) => (
            <SessionItem
              key={s.id}
              session={s}
              active={s.id === activeId}
              onNavigate={onNavigate}
              onRename={(title) => rename.mutate({ id: s.id, title })}
              onDelete={() => setDeleting(s)}
            />
          ))}
        </ul>
      )}
      {rename.error ? (
        <Alert variant="destructive" className="m-2">
          {errorMessage(rename.error)}
        </Alert>
      ) : null}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => {
          if (!open) {
            setDeleting(null);
            remove.reset();
          }
        }}
        title="Delete chat?"
        description={
          <>
            <span className="font-medium text-foreground">{deleting?.title}</span> and all its
            messages will be deleted.
          </>
        }
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => {
          if (!deleting) return;
          const id = deleting.id;
          remove.mutate(id, {
            onSuccess: () => {
              setDeleting(null);
              if (id === activeId) router.replace("/chat");
            },
          });
        }}
      />
    </>
  );
}
