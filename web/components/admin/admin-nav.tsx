"use client";

import { ShieldAlert } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useUser } from "@/components/auth/auth-guard";
import { PageHeader } from "@/components/layout/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { cn } from "@/lib/utils";

const TABS = [
  { href: "/admin", label: "Users" },
  { href: "/admin/groups", label: "Groups" },
  { href: "/admin/system", label: "System" },
  { href: "/admin/audit", label: "Audit log" },
];

/** Admin section frame: sub-navigation, and a refusal for members. */
export function AdminFrame({ children }: { children: React.ReactNode }) {
  const user = useUser();
  const pathname = usePathname().replace(/\/$/, "") || "/";

  return (
    <div className="mx-auto grid w-full max-w-5xl gap-4 p-4 sm:p-6">
      <PageHeader title="Admin" description={`Manage ${user.organization_name}.`} />
      {user.role !== "admin" ? (
        <EmptyState icon={<ShieldAlert />} title="Admins only">
          Ask an admin of your organization if you need access.
        </EmptyState>
      ) : (
        <>
          <nav aria-label="Admin sections" className="flex gap-1 overflow-x-auto border-b">
            {TABS.map((tab) => {
              const active = pathname === tab.href;
              return (
                <Link
                  key={tab.href}
                  href={tab.href}
                  aria-current={active ? "page" : undefined}
                  className={cn(
                    "-mb-px rounded-t-md border-b-2 border-transparent px-3 py-2 text-sm font-medium text-muted-foreground hover:text-foreground",
                    active && "border-primary text-foreground",
                  )}
                >
                  {tab.label}
                </Link>
              );
            })}
          </nav>
          {children}
        </>
      )}
    </div>
  );
}
