import type { Emphasis, Parent, PhrasingContent, Root, Text } from "mdast";

/** A sentence of the answer: `start`/`end` are character offsets into the Markdown source. */
export interface SentenceRange {
  start: number;
  end: number;
  supported: boolean;
}

type Last = Map<number, Emphasis>;

function wrap(
  index: number,
  sentence: SentenceRange,
  child: PhrasingContent,
  last: Last,
): Emphasis {
  // Rendered as <span data-s="index" data-supported="..."> (mdast-util-to-hast honours
  // data.hName), which the Markdown component maps to a sentence.
  const node: Emphasis = {
    type: "emphasis",
    data: {
      hName: "span",
      hProperties: { dataS: String(index), dataSupported: String(sentence.supported) },
    },
    children: [child],
  };
  last.set(index, node);
  return node;
}

/**
 * Where a leaf's text sits in the source. Escapes and character references make the source
 * longer than the text; such a leaf is mapped from its start, which is close enough to put
 * each piece in its sentence.
 */
function sourceOffset(node: Text, i: number): number {
  const start = node.position?.start.offset ?? 0;
  return start + Math.min(i, node.value.length);
}

function split(
  node: Text,
  sentences: readonly SentenceRange[],
  last: Last,
): PhrasingContent[] | null {
  const begin = node.position?.start.offset;
  const finish = node.position?.end.offset;
  if (begin === undefined || finish === undefined) return null;
  const out: PhrasingContent[] = [];
  const exact = finish - begin === node.value.length;
  let i = 0;
  while (i < node.value.length) {
    const at = sourceOffset(node, i);
    const index = sentences.findIndex((s) => s.start <= at && at < s.end);
    let next = node.value.length;
    if (exact) {
      // Up to the end of this sentence, or the start of the next one.
      const boundary =
        index === -1
          ? Math.min(...sentences.map((s) => s.start).filter((s) => s > at), Infinity)
          : (sentences[index]?.end ?? Infinity);
      next = Math.min(node.value.length, Math.max(i + 1, boundary - begin));
    }
    const piece: Text = { type: "text", value: node.value.slice(i, next) };
    const sentence = index === -1 ? undefined : sentences[index];
    out.push(sentence ? wrap(index, sentence, piece, last) : piece);
    i = next;
  }
  return out;
}

function walk(parent: Parent, sentences: readonly SentenceRange[], last: Last): void {
  for (let i = 0; i < parent.children.length; i += 1) {
    const child = parent.children[i];
    if (!child) continue;
    if (child.type === "text") {
      const parts = split(child, sentences, last);
      if (parts) {
        parent.children.splice(i, 1, ...parts);
        i += parts.length - 1;
      }
    } else if (child.type === "inlineCode") {
      const at = child.position?.start.offset ?? -1;
      const index = sentences.findIndex((s) => s.start <= at && at < s.end);
      const sentence = sentences[index];
      if (sentence) parent.children.splice(i, 1, wrap(index, sentence, child, last));
    } else if ("children" in child) {
      walk(child, sentences, last);
    }
  }
}

/**
 * remark plugin: the text of each sentence of a grounded answer is wrapped in a sentence node
 * (one per piece, when a sentence spans emphasis or a link), by the offsets the server gave.
 * Runs before remarkCitations, whose markers end up inside their sentence.
 */
export function remarkSentences({ sentences }: { sentences: readonly SentenceRange[] }) {
  return (tree: Root) => {
    if (!sentences.length) return;
    const last = new Map<number, Emphasis>();
    walk(tree, sentences, last);
    // The last piece of a sentence carries what is said about the whole sentence.
    for (const node of last.values()) {
      const props = node.data?.hProperties;
      if (props) props.dataLast = "true";
    }
  };
}
