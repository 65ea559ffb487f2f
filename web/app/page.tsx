"use client";

import { useRouter } from "next/navigation";
import * as React from "react";
import { AppShellSkeleton } from "@/components/layout/app-shell-skeleton";

/** `/` has no content of its own: go to chat (which sends signed-out visitors to sign in). */
export default function Home() {
  const router = useRouter();
  React.useEffect(() => router.replace("/chat"), [router]);
  return <AppShellSkeleton />;
}
