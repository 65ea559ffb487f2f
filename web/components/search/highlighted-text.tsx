import * as React from "react";

interface Props {
  text: string;
  /** [start, end) offsets in code points (as the API counts them). */
  ranges: ReadonlyArray<ReadonlyArray<number>>;
}

/** Plain text with the matched ranges wrapped in <mark>; never parsed as HTML. */
export function HighlightedText({ text, ranges }: Props) {
  const chars = Array.from(text);
  const sorted = [...ranges]
    .map(([s = 0, e = 0]) => [Math.max(0, s), Math.min(chars.length, e)] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const [start, end] of sorted) {
    if (start < at) continue; // overlapping range: already covered
    if (start > at) parts.push(chars.slice(at, start).join(""));
    parts.push(<mark key={start}>{chars.slice(start, end).join("")}</mark>);
    at = end;
  }
  if (at < chars.length) parts.push(chars.slice(at).join(""));
  return <>{parts}</>;
}
