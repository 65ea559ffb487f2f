"use client";

import { Laptop } from "lucide-react";
import * as React from "react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api/errors";
import type { SignInSession } from "@/lib/api/types";
import { useRevokeSignIns, useSignIns } from "@/lib/queries/account";
import { describeUserAgent } from "@/lib/user-agent";
import { formatDateTime, formatRelative } from "@/lib/utils";

/** "Where you're signed in": this device first, the others each with a way to sign them out. */
export function SignInsCard() {
  const signIns = useSignIns();
  const revoke = useRevokeSignIns();
  const [confirmAll, setConfirmAll] = React.useState(false);
  const items = signIns.data?.items ?? [];
  const sorted = [...items].sort((a, b) => Number(b.current) - Number(a.current));
  const others = items.filter((s) => !s.current).map((s) => s.id);

  return (
    <Card>
      <CardHeader>
        <CardTitle>Where you&apos;re signed in</CardTitle>
        <CardDescription>
          Sign out a device you no longer use or do not recognise; it must sign in again.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        {revoke.error && !confirmAll ? (
          <Alert variant="destructive">{errorMessage(revoke.error)}</Alert>
        ) : null}
        {signIns.isPending ? (
          <Skeleton className="h-32 w-full" />
        ) : signIns.isError ? (
          <Alert variant="destructive">{errorMessage(signIns.error)}</Alert>
        ) : (
          <ul aria-label="Signed-in devices" className="divide-y rounded-xl border">
            {sorted.map((s) => (
              <SignInRow
                key={s.id}
                session={s}
                pending={revoke.isPending}
                onSignOut={() => revoke.mutate([s.id])}
              />
            ))}
          </ul>
        )}
        {others.length > 0 ? (
          <Button
            variant="outline"
            className="justify-self-start"
            disabled={revoke.isPending}
            onClick={() => setConfirmAll(true)}
          >
            Sign out everywhere else
          </Button>
        ) : signIns.isSuccess ? (
          <p className="text-sm text-muted-foreground">You are not signed in anywhere else.</p>
        ) : null}
      </CardContent>
      <ConfirmDialog
        open={confirmAll}
        onOpenChange={(open) => {
          setConfirmAll(open);
          if (!open) revoke.reset();
        }}
        title="Sign out everywhere else?"
        description={`${others.length} other ${others.length === 1 ? "session ends" : "sessions end"} at once; this browser stays signed in.`}
        confirmLabel="Sign out"
        pending={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        onConfirm={() => revoke.mutate(others, { onSuccess: () => setConfirmAll(false) })}
      />
    </Card>
  );
}

interface SignInRowProps {
  session: SignInSession;
  pending: boolean;
  onSignOut: () => void;
}

function SignInRow({ session, pending, onSignOut }: SignInRowProps) {
  const device = describeUserAgent(session.user_agent);
  return (
    <li className="flex flex-wrap items-center gap-3 px-3 py-2.5">
      <Laptop
        className="hidden size-5 shrink-0 text-muted-foreground sm:block"
        aria-hidden="true"
      />
      <div className="grid min-w-0 flex-1 gap-0.5">
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-medium" title={session.user_agent ?? undefined}>
            {device}
          </span>
          {session.current ? <Badge variant="success">This device</Badge> : null}
        </div>
        <p className="text-xs text-muted-foreground">
          {session.ip ?? "Unknown address"} ·{" "}
          {session.current ? (
            "active now"
          ) : (
            <time dateTime={session.last_used_at} title={formatDateTime(session.last_used_at)}>
              last used {formatRelative(session.last_used_at)}
            </time>
          )}{" "}
          · signed in {formatDateTime(session.created_at)}
        </p>
      </div>
      {session.current ? null : (
        <Button
          variant="ghost"
          size="sm"
          disabled={pending}
          aria-label={`Sign out ${device} (${session.ip ?? "unknown address"})`}
          onClick={onSignOut}
        >
          Sign out
        </Button>
      )}
    </li>
  );
}
