import type { Emphasis, Parent, PhrasingContent, Root, Text } from "mdast";

const MARKER = /\[(\d+(?:\s*,\s*\d+)*)\]/g;

function citation(n: number): Emphasis {
  // Rendered as <cite data-n="n"> (mdast-util-to-hast honours data.hName), which the
  // Markdown component maps to a button.
  return {
    type: "emphasis",
    data: { hName: "cite", hProperties: { dataN: String(n) } },
    children: [{ type: "text", value: String(n) }],
  };
}

function split(node: Text): PhrasingContent[] | null {
  const out: PhrasingContent[] = [];
  let last = 0;
  for (const match of node.value.matchAll(MARKER)) {
    const index = match.index ?? 0;
    if (index > last) out.push({ type: "text", value: node.value.slice(last, index) });
    for (const n of (match[1] ?? "").split(",")) out.push(citation(Number(n.trim())));
    last = index + match[0].length;
  }
  if (!out.length) return null;
  if (last < node.value.length) out.push({ type: "text", value: node.value.slice(last) });
  return out;
}

function walk(parent: Parent): void {
  for (let i = 0; i < parent.children.length; i += 1) {
    const child = parent.children[i];
    if (!child) continue;
    if (child.type === "text") {
      const parts = split(child);
      if (parts) {
        parent.children.splice(i, 1, ...parts);
        i += parts.length - 1;
      }
    } else if ("children" in child && child.type !== "link" && child.type !== "linkReference") {
      walk(child);
    }
  }
}

/** remark plugin: `[n]` and `[n, m]` citation markers in text become citation nodes. */
export function remarkCitations() {
  return (tree: Root) => walk(tree);
}
