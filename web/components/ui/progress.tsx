import * as React from "react";
import { cn } from "@/lib/utils";

interface ProgressProps extends React.HTMLAttributes<HTMLDivElement> {
  /** 0–100 */
  value: number;
  label: string;
  tone?: "default" | "success" | "destructive";
}

export function Progress({ value, label, tone = "default", className, ...props }: ProgressProps) {
  const clamped = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={clamped}
      className={cn("h-1.5 w-full overflow-hidden rounded-full bg-muted", className)}
      {...props}
    >
      <div
        className={cn(
          "h-full rounded-full transition-[width] duration-200",
          tone === "success" && "bg-success",
          tone === "destructive" && "bg-destructive",
          tone === "default" && "bg-primary",
        )}
        style={{ width: `${clamped}%` }}
      />
    </div>
  );
}
