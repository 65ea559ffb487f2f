"use client";

import { Users } from "lucide-react";
import * as React from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api/errors";
import { useCreateGroup, useGroupMember, useGroups, useUsers } from "@/lib/queries/admin";
import { GroupCard } from "./group-card";

export function GroupsPanel() {
  const groups = useGroups();
  const users = useUsers();
  const create = useCreateGroup();
  const members = useGroupMember();
  const [name, setName] = React.useState("");

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    create.mutate(name.trim(), { onSuccess: () => setName("") });
  };

  return (
    <div className="grid gap-4">
      <Card>
        <CardHeader>
          <CardTitle>Create a group</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-3">
          <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-2">
            <div className="grid min-w-56 flex-1 gap-1.5">
              <Label htmlFor="group-name">Group name</Label>
              <Input
                id="group-name"
                value={name}
                maxLength={200}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
            <Button type="submit" disabled={create.isPending || !name.trim()}>
              Create group
            </Button>
          </form>
          {create.error ? <Alert variant="destructive">{errorMessage(create.error)}</Alert> : null}
        </CardContent>
      </Card>
      {members.error ? <Alert variant="destructive">{errorMessage(members.error)}</Alert> : null}
      {groups.isPending || users.isPending ? (
        <Skeleton className="h-32 w-full" />
      ) : groups.isError ? (
        <Alert variant="destructive">{errorMessage(groups.error)}</Alert>
      ) : groups.data.items.length === 0 ? (
        <EmptyState icon={<Users />} title="No groups yet">
          Groups let you share documents with some colleagues rather than everyone.
        </EmptyState>
      ) : (
        <div className="grid gap-3 md:grid-cols-2">
          {groups.data.items.map((g) => (
            <GroupCard
              key={g.id}
              group={g}
              users={users.data?.items ?? []}
              pending={members.isPending}
              onAdd={(userId) => members.mutate({ groupId: g.id, userId, add: true })}
              onRemove={(userId) => members.mutate({ groupId: g.id, userId, add: false })}
            />
          ))}
        </div>
      )}
    </div>
  );
}
