"use client";

import { Check, Copy } from "lucide-react";
import * as React from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { errorMessage } from "@/lib/api/errors";
import type { Role } from "@/lib/api/types";
import { useInvite } from "@/lib/queries/admin";
import { formatDateTime } from "@/lib/utils";

/** Create an invite and show its one-time registration link. */
export function InviteForm() {
  const invite = useInvite();
  const [email, setEmail] = React.useState("");
  const [role, setRole] = React.useState<Role>("member");
  const [copied, setCopied] = React.useState(false);
  const linkRef = React.useRef<HTMLInputElement>(null);

  const link = invite.data
    ? `${window.location.origin}/register?invite=${encodeURIComponent(invite.data.invite_token)}`
    : "";

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setCopied(false);
    invite.mutate({ email: email.trim() || undefined, role }, { onSuccess: () => setEmail("") });
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied(true);
    } catch {
      // No clipboard access (e.g. plain http): select the link so Ctrl+C copies it.
      linkRef.current?.focus();
      linkRef.current?.select();
    }
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>Invite someone</CardTitle>
        <CardDescription>They register with the link; it works once.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-2">
          <div className="grid min-w-56 flex-1 gap-1.5">
            <Label htmlFor="invite-email">Email</Label>
            <Input
              id="invite-email"
              type="email"
              autoComplete="off"
              placeholder="name@example.com"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="grid gap-1.5">
            <Label htmlFor="invite-role">Role</Label>
            <NativeSelect
              id="invite-role"
              value={role}
              onChange={(e) => setRole(e.target.value as Role)}
            >
              <option value="member">Member</option>
              <option value="admin">Admin</option>
            </NativeSelect>
          </div>
          <Button type="submit" disabled={invite.isPending}>
            Create invite
          </Button>
        </form>
        {invite.error ? <Alert variant="destructive">{errorMessage(invite.error)}</Alert> : null}
        {invite.data ? (
          <div className="grid gap-1.5 rounded-md border bg-muted/40 p-3">
            <Label htmlFor="invite-link">Invite link</Label>
            <div className="flex gap-2">
              <Input
                id="invite-link"
                ref={linkRef}
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
            <p className="text-xs text-muted-foreground">
              {invite.data.email ? `For ${invite.data.email} · ` : ""}
              {invite.data.role} · expires {formatDateTime(invite.data.expires_at)}
            </p>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
