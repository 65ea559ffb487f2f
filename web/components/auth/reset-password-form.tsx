"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { PasswordField } from "@/components/account/password-field";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useResetPassword } from "@/lib/queries/account";
import {
  checkNewPassword,
  MIN_PASSWORD_LENGTH,
  type NewPasswordErrors,
  passwordServerErrors,
} from "@/lib/password";

const NO_TOKEN =
  "This page needs the reset link an admin of your organization gave you. Ask them for one.";

/** Set a new password with an admin's one-time link, then sign in with it. */
export function ResetPasswordForm() {
  const router = useRouter();
  const token = useSearchParams().get("token") ?? "";
  const reset = useResetPassword();
  const [password, setPassword] = React.useState("");
  const [confirm, setConfirm] = React.useState("");
  const [checked, setChecked] = React.useState<NewPasswordErrors>({});
  const server = reset.error ? passwordServerErrors(reset.error) : {};
  const dead = !token || !!server.token;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    reset.reset();
    const errors = checkNewPassword(password, confirm);
    setChecked(errors);
    if (errors.password || errors.confirm) return;
    reset.mutate(
      { token, new_password: password },
      { onSuccess: () => router.replace("/login?reset=1") },
    );
  };

  return (
    <Card className="w-full max-w-sm">
      <CardHeader>
        <CardTitle>
          <span className="text-xl">Choose a new password</span>
        </CardTitle>
        <CardDescription>
          You will be signed out everywhere, then sign in with the new password.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {dead ? (
          <Alert variant="destructive">{server.token ?? NO_TOKEN}</Alert>
        ) : (
          <form onSubmit={submit} noValidate className="grid gap-4">
            <PasswordField
              id="new-password"
              label="New password"
              autoComplete="new-password"
              hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={checked.password ?? server.password}
            />
            <PasswordField
              id="confirm-password"
              label="Confirm new password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              error={checked.confirm}
            />
            {server.form ? <Alert variant="destructive">{server.form}</Alert> : null}
            <Button type="submit" disabled={reset.isPending || reset.isSuccess}>
              {reset.isPending ? "Saving…" : "Set new password"}
            </Button>
          </form>
        )}
        <p className="text-center text-sm text-muted-foreground">
          <Link
            href="/login"
            className="font-medium text-primary underline-offset-4 hover:underline"
          >
            Back to sign in
          </Link>
        </p>
      </CardContent>
    </Card>
  );
}
