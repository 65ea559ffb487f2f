"use client";

import { ChevronDown, LogOut, UserCog } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import * as React from "react";
import { useUser } from "@/components/auth/auth-guard";
import { Button } from "@/components/ui/button";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { Toast } from "@/components/ui/toast";
import { errorMessage } from "@/lib/api/errors";
import { useLogout } from "@/lib/queries/auth";

/** The signed-in user, their organization and role, their account page and "Sign out". */
export function UserMenu() {
  const user = useUser();
  const router = useRouter();
  const logout = useLogout();
  const [open, setOpen] = React.useState(false);

  const signOut = () => {
    // Leave only once the server has ended the session; otherwise say why we are still here.
    logout.mutate(undefined, { onSuccess: () => router.replace("/login") });
  };

  return (
    <>
      <Popover open={open} onOpenChange={setOpen}>
        <PopoverTrigger asChild>
          <Button variant="ghost" className="max-w-[11rem] gap-1 px-2 sm:max-w-xs">
            <span className="truncate">{user.email}</span>
            <ChevronDown aria-hidden="true" />
          </Button>
        </PopoverTrigger>
        <PopoverContent align="end" className="grid w-64 gap-3 p-2">
          <div className="px-2 pt-1">
            <span className="block truncate font-medium">{user.email}</span>
            <span className="block truncate text-xs text-muted-foreground">
              {user.organization_name} · {user.role}
            </span>
          </div>
          <div className="grid gap-1">
            <Button variant="ghost" className="justify-start" asChild>
              <Link href="/account" onClick={() => setOpen(false)}>
                <UserCog aria-hidden="true" />
                Account
              </Link>
            </Button>
            <Button
              variant="ghost"
              className="justify-start"
              onClick={signOut}
              disabled={logout.isPending}
            >
              <LogOut aria-hidden="true" />
              Sign out
            </Button>
          </div>
        </PopoverContent>
      </Popover>
      {logout.error ? (
        <Toast onDismiss={() => logout.reset()}>
          Signing out failed: {errorMessage(logout.error)}
        </Toast>
      ) : null}
    </>
  );
}
