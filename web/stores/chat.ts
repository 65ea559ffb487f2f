import { create } from "zustand";
import type { ChatMessage, Citation } from "@/lib/api/types";

export type LiveStatus = "waiting" | "streaming" | "done" | "stopped" | "interrupted";

/** The answer being streamed right now (client-only until the server stores it). */
export interface LiveAnswer {
  /**
   * The send this answer belongs to (its AbortController). A send only patches or clears the
   * live answer while it still holds its own token, so a late cleanup never touches a newer one.
   */
  token: AbortController;
  sessionId: string;
  /**
   * Sent from "New chat" and the page has not reached `?session=` yet: until it does, the
   * new-chat view shows this answer as its own.
   */
  fromNew: boolean;
  question: string;
  /** How many stored messages the session had when the question was sent (null if unknown). */
  baseCount: number | null;
  sources: Citation[];
  text: string;
  status: LiveStatus;
  message: ChatMessage | null;
}

/** A span of a citation's passage, by offsets into it. */
export interface QuoteSpan {
  start: number;
  end: number;
}

interface SourcesPanel {
  open: boolean;
  citations: Citation[];
  active: number | null;
  /** The span of the active source that backs the sentence its marker is in, if known. */
  quote: QuoteSpan | null;
}

interface StartArgs {
  token: AbortController;
  sessionId: string;
  fromNew: boolean;
  question: string;
  baseCount: number | null;
}

interface ChatStore {
  drafts: Record<string, string>;
  live: LiveAnswer | null;
  /** A failure to show under the conversation, per session. */
  errors: Record<string, string>;
  panel: SourcesPanel;
  setDraft: (key: string, text: string) => void;
  /** Put an unsent question back into an empty composer. */
  restoreDraft: (key: string, text: string) => void;
  start: (args: StartArgs) => void;
  patchLive: (token: AbortController, patch: Partial<Omit<LiveAnswer, "token">>) => void;
  appendDelta: (token: AbortController, text: string) => void;
  clearLive: (token: AbortController) => void;
  stop: () => void;
  setError: (sessionId: string, error: string | null) => void;
  openSources: (citations: Citation[], active: number | null, quote?: QuoteSpan | null) => void;
  setPanelOpen: (open: boolean) => void;
  /** Abort any stream and forget everything (sign-in, sign-out). */
  reset: () => void;
}

const initial = {
  drafts: {},
  live: null,
  errors: {},
  panel: { open: false, citations: [], active: null, quote: null },
} satisfies Partial<ChatStore>;

export const isActive = (live: LiveAnswer | null): boolean =>
  live !== null && (live.status === "waiting" || live.status === "streaming");

/** The live answer as the chat view for `sessionId` (null: "New chat") should show it. */
export const liveFor = (live: LiveAnswer | null, sessionId: string | null): LiveAnswer | null =>
  live && (live.sessionId === sessionId || (sessionId === null && live.fromNew)) ? live : null;

export const useChatStore = create<ChatStore>((set, get) => ({
  ...initial,
  setDraft: (key, text) => set((s) => ({ drafts: { ...s.drafts, [key]: text } })),
  restoreDraft: (key, text) =>
    set((s) => (s.drafts[key]?.trim() ? {} : { drafts: { ...s.drafts, [key]: text } })),
  start: ({ token, sessionId, fromNew, question, baseCount }) => {
    const previous = get().live?.token;
    if (previous && previous !== token) previous.abort();
    set((s) => {
      const errors = { ...s.errors };
      delete errors[sessionId];
      return {
        live: {
          token,
          sessionId,
          fromNew,
          question,
          baseCount,
          sources: [],
          text: "",
          status: "waiting",
          message: null,
        },
        errors,
      };
    });
  },
  patchLive: (token, patch) =>
    set((s) => (s.live?.token === token ? { live: { ...s.live, ...patch } } : {})),
  appendDelta: (token, text) =>
    set((s) =>
      s.live?.token === token
        ? { live: { ...s.live, text: s.live.text + text, status: "streaming" } }
        : {},
    ),
  clearLive: (token) => set((s) => (s.live?.token === token ? { live: null } : {})),
  stop: () => {
    const live = get().live;
    if (!live || !isActive(live)) return;
    live.token.abort();
    set((s) => (s.live === live ? { live: { ...live, status: "stopped" } } : {}));
  },
  setError: (sessionId, error) =>
    set((s) => {
      const errors = { ...s.errors };
      if (error) errors[sessionId] = error;
      else delete errors[sessionId];
      return { errors };
    }),
  openSources: (citations, active, quote = null) =>
    set({ panel: { open: true, citations, active, quote } }),
  setPanelOpen: (open) => set((s) => ({ panel: { ...s.panel, open } })),
  reset: () => {
    get().live?.token.abort();
    set({ ...initial });
  },
}));
