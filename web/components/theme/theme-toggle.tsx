"use client";

import { Moon, Sun } from "lucide-react";
import * as React from "react";
import { Button } from "@/components/ui/button";

const KEY = "archivist-theme";

function apply(dark: boolean): void {
  const root = document.documentElement;
  root.classList.toggle("dark", dark);
  root.style.colorScheme = dark ? "dark" : "light";
}

/** The theme is the `dark` class on <html>, set before hydration by ThemeScript. */
function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
}

const isDark = () => document.documentElement.classList.contains("dark");

// Unknown on the server and while the page hydrates, so the markup matches the static export.
const unknown = () => null;

/** Light/dark switch; follows the system setting until the user picks one. */
export function ThemeToggle() {
  const dark = React.useSyncExternalStore<boolean | null>(subscribe, isDark, unknown);

  React.useEffect(() => {
    const media = window.matchMedia("(prefers-color-scheme: dark)");
    const follow = (event: MediaQueryListEvent) => {
      if (!localStorage.getItem(KEY)) apply(event.matches);
    };
    media.addEventListener("change", follow);
    return () => media.removeEventListener("change", follow);
  }, []);

  const toggle = () => {
    const next = !isDark();
    localStorage.setItem(KEY, next ? "dark" : "light");
    apply(next);
  };

  return (
    <Button
      variant="ghost"
      size="icon"
      onClick={toggle}
      aria-label={dark ? "Switch to light theme" : "Switch to dark theme"}
      title="Toggle theme"
    >
      {dark ? <Sun /> : <Moon />}
    </Button>
  );
}
