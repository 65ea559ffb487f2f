"use client";

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
import { CopyLink } from "./copy-link";

/** Create an invite and show its one-time registration link. */
export function InviteForm() {
  const invite = useInvite();
  const [email, setEmail] = React.useState("");
  const [role, setRole] = React.useState<Role>("member");

  const link = invite.data
    ? `${window.location.origin}/register?invite=${encodeURIComponent(invite.data.invite_token)}`
    : "";

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    invite.mutate({ email: email.trim() || undefined, role }, { onSuccess: () => setEmail("") });
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
          <CopyLink id="invite-link" label="Invite link" link={link}>
            {invite.data.email ? `For ${invite.data.email} · ` : ""}
            {invite.data.role} · expires {formatDateTime(invite.data.expires_at)}
          </CopyLink>
        ) : null}
      </CardContent>
    </Card>
  );
}
