"use client";

import { X } from "lucide-react";
import * as React from "react";
import { Alert } from "./alert";
import { Button } from "./button";

interface ToastProps {
  children: React.ReactNode;
  onDismiss: () => void;
}

/**
 * A failure reported away from where it happened (after a menu closed, say): a visible
 * `role="alert"` pinned to the corner of the screen until dismissed.
 */
export function Toast({ children, onDismiss }: ToastProps) {
  return (
    <div className="fixed inset-x-4 bottom-4 z-50 flex justify-end sm:left-auto">
      <div className="w-full max-w-sm rounded-md bg-background shadow-lg">
        <Alert variant="destructive" className="flex items-start gap-2 pr-1.5">
          <div className="min-w-0 flex-1 py-1 break-words">{children}</div>
          <Button
            variant="ghost"
            size="icon-sm"
            aria-label="Dismiss"
            onClick={onDismiss}
            className="text-current"
          >
            <X />
          </Button>
        </Alert>
      </div>
    </div>
  );
}
