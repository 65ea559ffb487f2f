"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { errorMessage } from "@/lib/api/errors";
import { useRegister } from "@/lib/queries/auth";
import { safeNext } from "@/lib/utils";
import { Field } from "./field";

export function RegisterForm() {
  const router = useRouter();
  const params = useSearchParams();
  const invite = params.get("invite");
  const rawNext = params.get("next");
  const register = useRegister();
  const [email, setEmail] = React.useState("");
  const [password, setPassword] = React.useState("");
  const [organization, setOrganization] = React.useState("");

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const body = invite
      ? { email, password, invite_token: invite }
      : { email, password, organization_name: organization };
    register.mutate(body, { onSuccess: () => router.replace(safeNext(rawNext)) });
  };

  return (
    <Card className="w-full max-w-sm">
      <CardHeader>
        <CardTitle>
          <span className="text-xl">{invite ? "Join your organization" : "Create account"}</span>
        </CardTitle>
        <CardDescription>
          {invite
            ? "You were invited to Archivist. Choose your sign-in details."
            : "Start a new organization; you will be its admin."}
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} noValidate className="grid gap-4">
          <Field
            id="email"
            label="Email"
            type="email"
            autoComplete="email"
            inputMode="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <Field
            id="password"
            label="Password"
            type="password"
            autoComplete="new-password"
            required
            hint="At least 12 characters."
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {invite ? null : (
            <Field
              id="organization"
              label="Organization name"
              autoComplete="organization"
              required
              value={organization}
              onChange={(e) => setOrganization(e.target.value)}
            />
          )}
          {register.error ? (
            <Alert variant="destructive">{errorMessage(register.error)}</Alert>
          ) : null}
          <Button type="submit" disabled={register.isPending || register.isSuccess}>
            {register.isPending ? "Creating account…" : "Create account"}
          </Button>
          <p className="text-center text-sm text-muted-foreground">
            Already have an account?{" "}
            <Link
              href="/login"
              className="font-medium text-primary underline-offset-4 hover:underline"
            >
              Sign in
            </Link>
          </p>
        </form>
      </CardContent>
    </Card>
  );
}
