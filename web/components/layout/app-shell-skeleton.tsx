import { Skeleton } from "@/components/ui/skeleton";

export function AppShellSkeleton() {
  return (
    <div className="flex min-h-dvh flex-col" aria-busy="true">
      <span className="sr-only">Loading…</span>
      <div className="flex h-14 items-center gap-4 border-b px-4">
        <Skeleton className="size-7" />
        <Skeleton className="h-4 w-24" />
        <div className="flex-1" />
        <Skeleton className="h-8 w-32" />
      </div>
      <div className="mx-auto grid w-full max-w-6xl gap-3 p-6">
        <Skeleton className="h-8 w-48" />
        <Skeleton className="h-24 w-full" />
        <Skeleton className="h-24 w-full" />
      </div>
    </div>
  );
}
