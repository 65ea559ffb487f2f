"use client";

import { UserMinus } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { NativeSelect } from "@/components/ui/select";
import type { Group, User } from "@/lib/api/types";

interface Props {
  group: Group;
  users: User[];
  pending: boolean;
  onAdd: (userId: string) => void;
  onRemove: (userId: string) => void;
}

export function GroupCard({ group, users, pending, onAdd, onRemove }: Props) {
  const memberIds = new Set(group.member_ids ?? []);
  const byId = new Map(users.map((u) => [u.id, u]));
  const candidates = users.filter((u) => !memberIds.has(u.id) && u.is_active !== false);
  const [choice, setChoice] = React.useState("");
  const selectId = `add-member-${group.id}`;

  return (
    <Card>
      <CardHeader className="pb-2">
        <CardTitle className="text-base">{group.name}</CardTitle>
        <p className="text-xs text-muted-foreground">
          {memberIds.size} {memberIds.size === 1 ? "member" : "members"}
        </p>
      </CardHeader>
      <CardContent className="grid gap-3">
        {memberIds.size ? (
          <ul className="grid gap-1" aria-label={`Members of ${group.name}`}>
            {[...memberIds].map((id) => {
              const email = byId.get(id)?.email ?? id;
              return (
                <li key={id} className="flex items-center justify-between gap-2 text-sm">
                  <span className="truncate">{email}</span>
                  <Button
                    variant="ghost"
                    size="icon-sm"
                    disabled={pending}
                    aria-label={`Remove ${email} from ${group.name}`}
                    onClick={() => onRemove(id)}
                  >
                    <UserMinus />
                  </Button>
                </li>
              );
            })}
          </ul>
        ) : (
          <p className="text-sm text-muted-foreground">No members yet.</p>
        )}
        <form
          className="flex gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (choice) onAdd(choice);
            setChoice("");
          }}
        >
          <label htmlFor={selectId} className="sr-only">
            Add member to {group.name}
          </label>
          <NativeSelect
            id={selectId}
            className="min-w-0 flex-1"
            value={choice}
            onChange={(e) => setChoice(e.target.value)}
            disabled={!candidates.length}
          >
            <option value="">
              {candidates.length ? "Choose a person…" : "Everyone is a member"}
            </option>
            {candidates.map((u) => (
              <option key={u.id} value={u.id}>
                {u.email}
              </option>
            ))}
          </NativeSelect>
          <Button type="submit" variant="outline" disabled={!choice || pending}>
            Add
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
