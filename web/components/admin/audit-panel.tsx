"use client";

import { ScrollText } from "lucide-react";
import * as React from "react";
import { useUser } from "@/components/auth/auth-guard";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableHead, TableHeader } from "@/components/ui/table";
import { errorMessage } from "@/lib/api/errors";
import type { AuditEvent } from "@/lib/api/types";
import { actionLabel, AUDIT_ACTIONS, describeData, describeTarget, type Names } from "@/lib/audit";
import { useAuditEvents, useGroups, useUsers } from "@/lib/queries/admin";
import { formatPreciseDateTime } from "@/lib/utils";

/** The organization's audit log: who did what to what, newest first, filterable. */
export function AuditPanel() {
  const [action, setAction] = React.useState("");
  const [actorId, setActorId] = React.useState("");
  const events = useAuditEvents(action, actorId);
  const me = useUser();
  const users = useUsers();
  const groups = useGroups();

  const names = React.useMemo<Names>(() => {
    const emails = new Map((users.data?.items ?? []).map((u) => [u.id, u.email]));
    const groupNames = new Map((groups.data?.items ?? []).map((g) => [g.id, g.name]));
    return {
      user: (id) => emails.get(id),
      group: (id) => groupNames.get(id),
      organization: (id) => (id === me.organization_id ? me.organization_name : undefined),
    };
  }, [users.data, groups.data, me]);

  const items = events.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = action !== "" || actorId !== "";

  return (
    <section aria-labelledby="audit-heading" className="grid gap-3">
      <h2 id="audit-heading" className="font-semibold">
        Audit log
      </h2>
      <div className="flex flex-wrap items-end gap-2">
        <div className="grid gap-1.5">
          <Label htmlFor="audit-action">Action</Label>
          <NativeSelect
            id="audit-action"
            value={action}
            onChange={(e) => setAction(e.target.value)}
          >
            <option value="">All actions</option>
            {Object.entries(AUDIT_ACTIONS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="audit-actor">Actor</Label>
          <NativeSelect
            id="audit-actor"
            value={actorId}
            onChange={(e) => setActorId(e.target.value)}
            className="max-w-64"
          >
            <option value="">Everyone</option>
            {(users.data?.items ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.email}
              </option>
            ))}
          </NativeSelect>
        </div>
        {filtered ? (
          <Button
            variant="ghost"
            onClick={() => {
              setAction("");
              setActorId("");
            }}
          >
            Clear filters
          </Button>
        ) : null}
      </div>
      {events.isPending ? (
        <Skeleton className="h-60 w-full" />
      ) : events.isError ? (
        <Alert variant="destructive">{errorMessage(events.error)}</Alert>
      ) : items.length === 0 ? (
        <EmptyState icon={<ScrollText />} title={filtered ? "No matching events" : "No events yet"}>
          {filtered
            ? "Try another action or actor."
            : "Sign-ups, role changes and uploads show here."}
        </EmptyState>
      ) : (
        <>
          <Table aria-label="Audit events" aria-busy={events.isFetching || undefined}>
            <TableHeader>
              <TableHead className="hidden sm:table-cell">Time</TableHead>
              <TableHead>Action</TableHead>
              <TableHead>Actor</TableHead>
              <TableHead>Target</TableHead>
            </TableHeader>
            <TableBody>
              {items.map((event) => (
                <AuditRow key={event.id} event={event} names={names} />
              ))}
            </TableBody>
          </Table>
          {events.hasNextPage ? (
            <Button
              variant="outline"
              className="justify-self-center"
              onClick={() => void events.fetchNextPage({ cancelRefetch: false })}
              disabled={events.isFetching}
            >
              {events.isFetchingNextPage ? "Loading…" : "Load more"}
            </Button>
          ) : null}
        </>
      )}
    </section>
  );
}

function AuditRow({ event, names }: { event: AuditEvent; names: Names }) {
  const actor = event.actor_id ? (names.user(event.actor_id) ?? event.actor_id) : "system";
  const details = describeData(event, names);
  const target = describeTarget(event, names);
  const time = (
    <time dateTime={event.created_at} title={event.created_at}>
      {formatPreciseDateTime(event.created_at)}
    </time>
  );
  return (
    <tr>
      <td className="hidden px-3 py-2 whitespace-nowrap text-muted-foreground sm:table-cell">
        {time}
      </td>
      <td className="px-3 py-2 whitespace-nowrap" title={event.action}>
        {actionLabel(event.action)}
        <span className="block text-xs text-muted-foreground sm:hidden">{time}</span>
      </td>
      <td className="max-w-48 truncate px-3 py-2" title={actor}>
        {actor}
      </td>
      <td className="max-w-72 px-3 py-2">
        <span className="block truncate" title={target}>
          {target}
        </span>
        {details ? (
          <span className="block truncate text-xs text-muted-foreground" title={details}>
            {details}
          </span>
        ) : null}
      </td>
    </tr>
  );
}
