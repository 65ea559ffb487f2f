"use client";

import { FileText, Globe, Lock, Users } from "lucide-react";
import { Table, TableBody, TableHead, TableHeader } from "@/components/ui/table";
import type { Document } from "@/lib/api/types";
import { formatBytes, formatDateTime, formatRelative } from "@/lib/utils";
import { DocumentActions } from "./document-actions";
import { StatusBadge } from "./status-badge";

const VISIBILITY = {
  private: { label: "Private", icon: Lock },
  organization: { label: "Organization", icon: Globe },
  groups: { label: "Groups", icon: Users },
} as const;

export function DocumentsTable({ docs }: { docs: Document[] }) {
  return (
    <Table>
      <caption className="sr-only">Documents</caption>
      <TableHeader>
        <TableHead>Document</TableHead>
        <TableHead className="hidden sm:table-cell">Size</TableHead>
        <TableHead className="hidden md:table-cell">Visibility</TableHead>
        <TableHead>Status</TableHead>
        <TableHead className="hidden lg:table-cell">Updated</TableHead>
        <TableHead className="w-10 px-2">
          <span className="sr-only">Actions</span>
        </TableHead>
      </TableHeader>
      <TableBody>
        {docs.map((doc) => {
          const vis = VISIBILITY[doc.visibility];
          return (
            <tr key={doc.id} data-document-id={doc.id} className="hover:bg-muted/30">
              <td className="w-full max-w-0 px-3 py-2.5">
                <div className="flex min-w-0 items-center gap-2">
                  <FileText className="size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
                  <div className="min-w-0">
                    <p className="truncate font-medium" title={doc.title}>
                      {doc.title}
                    </p>
                    <p className="truncate text-xs text-muted-foreground" title={doc.filename}>
                      {doc.filename}
                    </p>
                  </div>
                </div>
              </td>
              <td className="hidden px-3 py-2.5 whitespace-nowrap text-muted-foreground tabular-nums sm:table-cell">
                {formatBytes(doc.size_bytes)}
              </td>
              <td className="hidden px-3 py-2.5 md:table-cell">
                <span className="inline-flex items-center gap-1.5 text-muted-foreground">
                  <vis.icon className="size-3.5" aria-hidden="true" />
                  {vis.label}
                </span>
              </td>
              <td className="px-3 py-2.5">
                <StatusBadge doc={doc} />
              </td>
              <td className="hidden px-3 py-2.5 whitespace-nowrap text-muted-foreground lg:table-cell">
                <time dateTime={doc.updated_at} title={formatDateTime(doc.updated_at)}>
                  {formatRelative(doc.updated_at)}
                </time>
              </td>
              <td className="px-2 py-2.5 text-right">
                <DocumentActions doc={doc} />
              </td>
            </tr>
          );
        })}
      </TableBody>
    </Table>
  );
}
