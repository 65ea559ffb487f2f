"use client";

import { useUser } from "@/components/auth/auth-guard";
import { PageHeader } from "@/components/layout/page-header";
import { ChangePasswordForm } from "./change-password-form";
import { SignInsCard } from "./sign-ins-card";

export function AccountView() {
  const user = useUser();
  return (
    <div className="mx-auto grid w-full max-w-3xl gap-4 p-4 sm:p-6">
      <PageHeader
        title="Account"
        description={`${user.email} · ${user.organization_name} · ${user.role}`}
      />
      <ChangePasswordForm />
      <SignInsCard />
    </div>
  );
}
