import type { Citation } from "@/lib/api/types";
import type { QuoteSpan } from "@/stores/chat";

/** The span if it lies within a text of `length` characters, else null. */
function within(span: QuoteSpan | null, length: number): QuoteSpan | null {
  if (!span || span.start < 0 || span.end > length || span.start >= span.end) return null;
  return span;
}

/** The span of a citation's passage that best supports the answer, if the server found one. */
export function citationQuote(citation: Citation): QuoteSpan | null {
  const { quote_start: start, quote_end: end } = citation;
  return start != null && end != null ? { start, end } : null;
}

/**
 * A source's passage with the quoted span marked (plain text, never parsed as HTML). Older
 * answers carry no passage: their snippet is shown instead, unmarked.
 */
export function SourcePassage({
  citation,
  quote,
}: {
  citation: Citation;
  /** The span to mark, as offsets into the passage (default: the citation's own quote). */
  quote?: QuoteSpan | null;
}) {
  const passage = citation.passage;
  if (!passage) return <p className="leading-relaxed text-foreground/90">{citation.snippet}</p>;
  const span = within(quote ?? citationQuote(citation), passage.length);
  return (
    <p className="leading-relaxed whitespace-pre-line text-foreground/90" data-passage>
      {span ? (
        <>
          {passage.slice(0, span.start)}
          <mark data-quote>{passage.slice(span.start, span.end)}</mark>
          {passage.slice(span.end)}
        </>
      ) : (
        passage
      )}
    </p>
  );
}
