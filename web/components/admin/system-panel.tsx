"use client";

import { Activity, CheckCircle2, XCircle } from "lucide-react";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { errorMessage } from "@/lib/api/errors";
import { useHealth } from "@/lib/queries/admin";
import { useDocumentStats } from "@/lib/queries/documents";
import { formatDateTime } from "@/lib/utils";

const STATUSES = ["queued", "processing", "indexed", "failed"] as const;
const SERVICE_NAMES: Record<string, string> = {
  database: "Database",
  redis: "Redis",
  object_store: "Object store",
  index: "Search index",
};

export function SystemPanel() {
  const health = useHealth();
  const stats = useDocumentStats();

  return (
    <div className="grid gap-4 md:grid-cols-2">
      <Card>
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            <Activity className="size-4" aria-hidden="true" />
            Services
            {health.data ? (
              <Badge variant={health.data.status === "healthy" ? "success" : "destructive"}>
                {health.data.status}
              </Badge>
            ) : null}
          </CardTitle>
          {health.data?.timestamp ? (
            <CardDescription>Checked {formatDateTime(health.data.timestamp)}</CardDescription>
          ) : null}
        </CardHeader>
        <CardContent>
          {health.isPending ? (
            <Skeleton className="h-32 w-full" />
          ) : health.isError ? (
            <Alert variant="destructive">{errorMessage(health.error)}</Alert>
          ) : (
            <ul className="divide-y" aria-label="Service status">
              {Object.entries(health.data.services).map(([name, value]) => {
                const ok = value === "ok";
                return (
                  <li key={name} className="flex items-center justify-between gap-2 py-2 text-sm">
                    <span>{SERVICE_NAMES[name] ?? name}</span>
                    <span
                      className={`flex items-center gap-1.5 ${ok ? "text-success" : "text-destructive"}`}
                    >
                      {ok ? (
                        <CheckCircle2 className="size-4" aria-hidden="true" />
                      ) : (
                        <XCircle className="size-4" aria-hidden="true" />
                      )}
                      {value}
                    </span>
                  </li>
                );
              })}
            </ul>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Documents</CardTitle>
          <CardDescription>Across the documents you can see.</CardDescription>
        </CardHeader>
        <CardContent>
          {stats.isPending ? (
            <Skeleton className="h-32 w-full" />
          ) : stats.isError ? (
            <Alert variant="destructive">{errorMessage(stats.error)}</Alert>
          ) : (
            <dl className="grid grid-cols-2 gap-3">
              {STATUSES.map((status) => (
                <div key={status} className="rounded-lg border p-3">
                  <dt className="text-xs text-muted-foreground capitalize">{status}</dt>
                  <dd className="text-2xl font-semibold tabular-nums">
                    {stats.data.by_status[status] ?? 0}
                  </dd>
                </div>
              ))}
              <div className="rounded-lg border p-3">
                <dt className="text-xs text-muted-foreground">Total documents</dt>
                <dd className="text-2xl font-semibold tabular-nums">{stats.data.documents}</dd>
              </div>
              <div className="rounded-lg border p-3">
                <dt className="text-xs text-muted-foreground">Chunks</dt>
                <dd className="text-2xl font-semibold tabular-nums">{stats.data.chunks}</dd>
              </div>
            </dl>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
