"use client";

import * as React from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useChangePassword } from "@/lib/queries/account";
import {
  checkNewPassword,
  MIN_PASSWORD_LENGTH,
  type NewPasswordErrors,
  passwordServerErrors,
} from "@/lib/password";
import { PasswordField } from "./password-field";

/** Current, new and repeated password; the other sessions end when it changes. */
export function ChangePasswordForm() {
  const change = useChangePassword();
  const [current, setCurrent] = React.useState("");
  const [password, setPassword] = React.useState("");
  const [confirm, setConfirm] = React.useState("");
  const [checked, setChecked] = React.useState<NewPasswordErrors & { current?: string }>({});
  const [done, setDone] = React.useState(false);
  const server = change.error ? passwordServerErrors(change.error) : {};

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setDone(false);
    change.reset();
    const errors = {
      ...checkNewPassword(password, confirm),
      ...(current ? {} : { current: "Enter your current password." }),
    };
    setChecked(errors);
    if (errors.current || errors.password || errors.confirm) return;
    change.mutate(
      { current_password: current, new_password: password },
      {
        onSuccess: () => {
          setCurrent("");
          setPassword("");
          setConfirm("");
          setDone(true);
        },
      },
    );
  };

  // Typing again clears what was said about the previous attempt.
  const edit = (set: (value: string) => void) => (event: React.ChangeEvent<HTMLInputElement>) => {
    set(event.target.value);
    setDone(false);
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>Change password</CardTitle>
        <CardDescription>
          Your other devices and browsers are signed out when it changes; this one stays signed in.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} noValidate className="grid max-w-sm gap-4">
          <PasswordField
            id="current-password"
            label="Current password"
            autoComplete="current-password"
            value={current}
            onChange={edit(setCurrent)}
            error={checked.current ?? server.current}
          />
          <PasswordField
            id="new-password"
            label="New password"
            autoComplete="new-password"
            hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
            value={password}
            onChange={edit(setPassword)}
            error={checked.password ?? server.password}
          />
          <PasswordField
            id="confirm-password"
            label="Confirm new password"
            autoComplete="new-password"
            value={confirm}
            onChange={edit(setConfirm)}
            error={checked.confirm}
          />
          {server.form ? <Alert variant="destructive">{server.form}</Alert> : null}
          {done ? <Alert>Password changed. Your other sessions were signed out.</Alert> : null}
          <Button type="submit" className="justify-self-start" disabled={change.isPending}>
            {change.isPending ? "Changing…" : "Change password"}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
