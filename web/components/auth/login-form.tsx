"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { errorMessage } from "@/lib/api/errors";
import { useLogin } from "@/lib/queries/auth";
import { safeNext } from "@/lib/utils";
import { Field } from "./field";

export function LoginForm() {
  const router = useRouter();
  const params = useSearchParams();
  const rawNext = params.get("next");
  const afterReset = params.get("reset") === "1";
  const login = useLogin();
  const [email, setEmail] = React.useState("");
  const [password, setPassword] = React.useState("");

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    login.mutate({ email, password }, { onSuccess: () => router.replace(safeNext(rawNext)) });
  };

  // The register form checks `next` again before following it.
  const registerHref = rawNext ? `/register?next=${encodeURIComponent(rawNext)}` : "/register";

  return (
    <Card className="w-full max-w-sm">
      <CardHeader>
        <CardTitle>
          <span className="text-xl">Sign in</span>
        </CardTitle>
        <CardDescription>Search and chat over your organization&apos;s documents.</CardDescription>
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
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {afterReset && !login.error ? (
            <Alert>Your password was changed. Sign in with the new one.</Alert>
          ) : null}
          {login.error ? <Alert variant="destructive">{errorMessage(login.error)}</Alert> : null}
          <Button type="submit" disabled={login.isPending || login.isSuccess}>
            {login.isPending ? "Signing in…" : "Sign in"}
          </Button>
          <p className="text-center text-sm text-muted-foreground">
            New to Archivist?{" "}
            <Link
              href={registerHref}
              className="font-medium text-primary underline-offset-4 hover:underline"
            >
              Create account
            </Link>
          </p>
        </form>
      </CardContent>
    </Card>
  );
}
