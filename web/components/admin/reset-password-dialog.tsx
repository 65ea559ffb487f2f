"use client";

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
import { errorMessage } from "@/lib/api/errors";
import type { User } from "@/lib/api/types";
import { useIssuePasswordReset } from "@/lib/queries/admin";
import { formatDateTime } from "@/lib/utils";
import { CopyLink } from "./copy-link";

interface ResetPasswordDialogProps {
  user: User | null;
  onClose: () => void;
}

/** Create a one-time password-reset link for a member, to hand to them yourself. */
export function ResetPasswordDialog({ user, onClose }: ResetPasswordDialogProps) {
  const issue = useIssuePasswordReset();
  const link = issue.data
    ? `${window.location.origin}/reset-password?token=${encodeURIComponent(issue.data.reset_token)}`
    : "";

  const close = () => {
    issue.reset();
    onClose();
  };

  return (
    <Dialog open={user !== null} onOpenChange={(open) => (open ? undefined : close())}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Reset password</DialogTitle>
          <DialogDescription>
            A one-time link with which{" "}
            <span className="font-medium text-foreground">{user?.email}</span> chooses a new
            password; Archivist sends no mail, so give it to them yourself. Their current password
            works until they use it, and a new link voids the previous one.
          </DialogDescription>
        </DialogHeader>
        {issue.error ? <Alert variant="destructive">{errorMessage(issue.error)}</Alert> : null}
        {issue.data ? (
          <CopyLink id="reset-link" label="Reset link" link={link}>
            Works once · expires {formatDateTime(issue.data.expires_at)} · signs them out everywhere
          </CopyLink>
        ) : null}
        <DialogFooter>
          {issue.data ? (
            <Button onClick={close}>Done</Button>
          ) : (
            <Button
              onClick={() => user && issue.mutate(user.id)}
              disabled={issue.isPending || !user}
            >
              {issue.isPending ? "Creating…" : "Create reset link"}
            </Button>
          )}
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
