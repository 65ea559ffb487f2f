import * as React from "react";
import { cn } from "@/lib/utils";

/** A bordered table that scrolls sideways when the screen is narrower than its columns. */
export function Table({ className, ...props }: React.TableHTMLAttributes<HTMLTableElement>) {
  return (
    <div className="overflow-x-auto rounded-xl border">
      <table className={cn("w-full text-sm", className)} {...props} />
    </div>
  );
}

/** The header row; its children are <TableHead> cells. */
export function TableHeader({ children }: { children: React.ReactNode }) {
  return (
    <thead className="bg-muted/50 text-left text-xs text-muted-foreground">
      <tr>{children}</tr>
    </thead>
  );
}

export function TableHead({ className, ...props }: React.ThHTMLAttributes<HTMLTableCellElement>) {
  return <th scope="col" className={cn("px-3 py-2 font-medium", className)} {...props} />;
}

export function TableBody(props: React.HTMLAttributes<HTMLTableSectionElement>) {
  return <tbody className="divide-y" {...props} />;
}
