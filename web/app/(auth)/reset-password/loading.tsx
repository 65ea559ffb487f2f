import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return <Skeleton className="h-96 w-full max-w-sm rounded-xl" />;
}
