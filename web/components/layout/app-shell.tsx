"use client";

import { Building2, FileText, MessageSquare, Search, Shield } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useUser } from "@/components/auth/auth-guard";
import { ThemeToggle } from "@/components/theme/theme-toggle";
import { cn } from "@/lib/utils";
import { Logo } from "./logo";
import { UserMenu } from "./user-menu";

const LINKS = [
  { href: "/chat", label: "Chat", icon: MessageSquare, admin: false },
  { href: "/search", label: "Search", icon: Search, admin: false },
  { href: "/documents", label: "Documents", icon: FileText, admin: false },
  { href: "/admin", label: "Admin", icon: Shield, admin: true },
];

export function AppShell({ children }: { children: React.ReactNode }) {
  const user = useUser();
  const pathname = usePathname();
  const links = LINKS.filter((link) => !link.admin || user.role === "admin");

  return (
    <div className="flex h-dvh flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-background px-3 py-2 focus:not-sr-only focus:absolute focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      <header className="flex shrink-0 flex-wrap items-center gap-x-4 gap-y-1 border-b bg-background px-3 py-2 sm:px-4">
        <Logo />
        <nav
          aria-label="Main"
          className="order-last -mx-1 flex w-full gap-1 overflow-x-auto md:order-none md:mx-0 md:w-auto"
        >
          {links.map(({ href, label, icon: Icon }) => {
            const active = pathname === href || pathname.startsWith(`${href}/`);
            return (
              <Link
                key={href}
                href={href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "flex items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm font-medium text-muted-foreground transition-colors hover:bg-accent hover:text-accent-foreground",
                  active && "bg-accent text-foreground",
                )}
              >
                <Icon className="size-4" aria-hidden="true" />
                {label}
              </Link>
            );
          })}
        </nav>
        <div className="ml-auto flex items-center gap-1">
          <span
            className="hidden items-center gap-1.5 text-sm text-muted-foreground lg:flex"
            title="Organization"
          >
            <Building2 className="size-4" aria-hidden="true" />
            <span className="max-w-48 truncate">{user.organization_name}</span>
          </span>
          <ThemeToggle />
          <UserMenu />
        </div>
      </header>
      <main id="main" className="min-h-0 flex-1 overflow-y-auto">
        {children}
      </main>
    </div>
  );
}
