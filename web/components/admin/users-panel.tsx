"use client";

import * as React from "react";
import { useUser } from "@/components/auth/auth-guard";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { NativeSelect } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableHead, TableHeader } from "@/components/ui/table";
import { errorMessage } from "@/lib/api/errors";
import type { Role, User } from "@/lib/api/types";
import { useUpdateUser, useUsers } from "@/lib/queries/admin";
import { formatDateTime } from "@/lib/utils";
import { InviteForm } from "./invite-form";
import { ResetPasswordDialog } from "./reset-password-dialog";

export function UsersPanel() {
  const me = useUser();
  const users = useUsers();
  const update = useUpdateUser();
  const [deactivating, setDeactivating] = React.useState<User | null>(null);
  const [resetting, setResetting] = React.useState<User | null>(null);

  return (
    <div className="grid gap-4">
      <InviteForm />
      <section aria-labelledby="users-heading" className="grid gap-2">
        <h2 id="users-heading" className="font-semibold">
          Members
        </h2>
        {update.error && !deactivating ? (
          <Alert variant="destructive">{errorMessage(update.error)}</Alert>
        ) : null}
        {users.isPending ? (
          <Skeleton className="h-40 w-full" />
        ) : users.isError ? (
          <Alert variant="destructive">{errorMessage(users.error)}</Alert>
        ) : (
          <Table>
            <TableHeader>
              <TableHead>Email</TableHead>
              <TableHead>Role</TableHead>
              <TableHead className="hidden sm:table-cell">Joined</TableHead>
              <TableHead>Status</TableHead>
            </TableHeader>
            <TableBody>
              {users.data.items.map((u) => {
                const self = u.id === me.id;
                const active = u.is_active !== false;
                return (
                  <tr key={u.id}>
                    <td
                      className="max-w-40 truncate px-3 py-2 font-medium sm:max-w-56"
                      title={u.email}
                    >
                      {u.email}
                      {self ? (
                        <span className="ml-1 text-xs text-muted-foreground">(you)</span>
                      ) : null}
                    </td>
                    <td className="px-3 py-2">
                      <NativeSelect
                        aria-label={`Role for ${u.email}`}
                        value={u.role}
                        disabled={self || update.isPending}
                        onChange={(e) =>
                          update.mutate({ id: u.id, body: { role: e.target.value as Role } })
                        }
                        className="h-8"
                      >
                        <option value="member">Member</option>
                        <option value="admin">Admin</option>
                      </NativeSelect>
                    </td>
                    <td className="hidden px-3 py-2 whitespace-nowrap text-muted-foreground sm:table-cell">
                      {formatDateTime(u.created_at)}
                    </td>
                    <td className="px-3 py-2">
                      <div className="flex flex-wrap items-center gap-1">
                        <Badge variant={active ? "success" : "outline"}>
                          {active ? "active" : "deactivated"}
                        </Badge>
                        {self ? null : active ? (
                          <>
                            <Button variant="ghost" size="sm" onClick={() => setResetting(u)}>
                              Reset password
                            </Button>
                            <Button variant="ghost" size="sm" onClick={() => setDeactivating(u)}>
                              Deactivate
                            </Button>
                          </>
                        ) : (
                          <Button
                            variant="ghost"
                            size="sm"
                            onClick={() => update.mutate({ id: u.id, body: { is_active: true } })}
                          >
                            Reactivate
                          </Button>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </TableBody>
          </Table>
        )}
      </section>
      <ResetPasswordDialog user={resetting} onClose={() => setResetting(null)} />
      <ConfirmDialog
        open={deactivating !== null}
        onOpenChange={(open) => {
          if (!open) {
            setDeactivating(null);
            update.reset();
          }
        }}
        title="Deactivate user?"
        description={
          <>
            <span className="font-medium text-foreground">{deactivating?.email}</span> is signed out
            everywhere and can no longer sign in. You can reactivate them later.
          </>
        }
        confirmLabel="Deactivate"
        pending={update.isPending}
        error={update.error ? errorMessage(update.error) : null}
        onConfirm={() => {
          if (!deactivating) return;
          update.mutate(
            { id: deactivating.id, body: { is_active: false } },
            { onSuccess: () => setDeactivating(null) },
          );
        }}
      />
    </div>
  );
}
