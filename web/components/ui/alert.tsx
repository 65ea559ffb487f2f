import * as React from "react";
import { cn } from "@/lib/utils";

interface AlertProps extends React.HTMLAttributes<HTMLDivElement> {
  variant?: "default" | "destructive";
}

export function Alert({ className, variant = "default", role, ...props }: AlertProps) {
  return (
    <div
      role={role ?? (variant === "destructive" ? "alert" : "status")}
      className={cn(
        "rounded-md border px-3 py-2 text-sm",
        variant === "destructive"
          ? "border-destructive/40 bg-destructive/10 text-destructive"
          : "bg-muted text-foreground",
        className,
      )}
      {...props}
    />
  );
}
