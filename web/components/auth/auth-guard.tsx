"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import * as React from "react";
import { AppShellSkeleton } from "@/components/layout/app-shell-skeleton";
import { ErrorView } from "@/components/error-view";
import type { User } from "@/lib/api/types";
import { useMe } from "@/lib/queries/auth";

const UserContext = React.createContext<User | null>(null);

/** The signed-in user; only usable below <AuthGuard>. */
export function useUser(): User {
  const user = React.useContext(UserContext);
  if (!user) throw new Error("useUser() outside <AuthGuard>");
  return user;
}

/** Renders its children for a signed-in user; sends everyone else to /login?next=… */
export function AuthGuard({ children }: { children: React.ReactNode }) {
  const me = useMe();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const signedOut = me.isSuccess && me.data === null;

  React.useEffect(() => {
    if (!signedOut) return;
    const query = params.toString();
    const here = query ? `${pathname}?${query}` : pathname;
    router.replace(`/login?next=${encodeURIComponent(here)}`);
  }, [signedOut, pathname, params, router]);

  if (me.isError && !me.data) {
    return <ErrorView error={me.error} reset={() => void me.refetch()} />;
  }
  if (!me.data) return <AppShellSkeleton />;
  return <UserContext.Provider value={me.data}>{children}</UserContext.Provider>;
}
