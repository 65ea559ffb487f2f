"use client";

import { MoreHorizontal, Pencil, Trash2 } from "lucide-react";
import Link from "next/link";
import * as React from "react";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Input } from "@/components/ui/input";
import type { ChatSession } from "@/lib/api/types";
import { cn, formatRelative } from "@/lib/utils";

interface Props {
  session: ChatSession;
  active: boolean;
  onRename: (title: string) => void;
  onDelete: () => void;
  onNavigate?: () => void;
}

export function SessionItem({ session, active, onRename, onDelete, onNavigate }: Props) {
  const [editing, setEditing] = React.useState(false);
  const [title, setTitle] = React.useState(session.title);

  if (editing) {
    const save = () => {
      const next = title.trim();
      if (next && next !== session.title) onRename(next);
      setEditing(false);
    };
    return (
      <li className="px-1 py-0.5">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <Input
            aria-label="Chat title"
            autoFocus
            value={title}
            maxLength={200}
            onChange={(e) => setTitle(e.target.value)}
            onBlur={save}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                setTitle(session.title);
                setEditing(false);
              }
            }}
            className="h-8"
          />
        </form>
      </li>
    );
  }

  return (
    <li
      className={cn(
        "group flex min-w-0 items-center gap-1 rounded-md pr-1 hover:bg-accent",
        active && "bg-accent",
      )}
    >
      <Link
        href={`/chat?session=${encodeURIComponent(session.id)}`}
        aria-current={active ? "page" : undefined}
        onClick={onNavigate}
        className="min-w-0 flex-1 rounded-md px-2.5 py-2 focus-visible:outline-2 focus-visible:outline-offset-[-2px] focus-visible:outline-ring"
      >
        <span className="block truncate text-sm font-medium">{session.title}</span>
        <span className="block text-xs text-muted-foreground">
          {formatRelative(session.updated_at)}
        </span>
      </Link>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button
            variant="ghost"
            size="icon-sm"
            aria-label={`Options for ${session.title}`}
            className="shrink-0 opacity-100 md:opacity-0 md:group-hover:opacity-100 md:focus-visible:opacity-100 data-[state=open]:opacity-100"
          >
            <MoreHorizontal />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          <DropdownMenuItem
            onSelect={() => {
              setTitle(session.title);
              setEditing(true);
            }}
          >
            <Pencil aria-hidden="true" />
            Rename
          </DropdownMenuItem>
          <DropdownMenuItem variant="destructive" onSelect={onDelete}>
            <Trash2 aria-hidden="true" />
            Delete
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
    </li>
  );
}
