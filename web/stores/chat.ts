import { create } from "zustand";
import type { ChatMessage, Citation } from "@/lib/api/types";

export type LiveStatus = "waiting" | "streaming" | "done" | "stopped";

/** The answer being streamed right now (client-only until the server stores it). */
export interface LiveAnswer {
  sessionId: string;
  question: string;
  sources: Citation[];
  text: string;
  status: LiveStatus;
  message: ChatMessage | null;
}

interface SourcesPanel {
  open: boolean;
  citations: Citation[];
  active: number | null;
}

interface ChatStore {
  drafts: Record<string, string>;
  live: LiveAnswer | null;
  controller: AbortController | null;
  /** A failure to show under the conversation, per session. */
  errors: Record<string, string>;
  panel: SourcesPanel;
  setDraft: (key: string, text: string) => void;
  start: (sessionId: string, question: string, controller: AbortController) => void;
  patchLive: (patch: Partial<LiveAnswer>) => void;
  appendDelta: (text: string) => void;
  clearLive: () => void;
  stop: () => void;
  setError: (sessionId: string, error: string | null) => void;
  openSources: (citations: Citation[], active: number | null) => void;
  setPanelOpen: (open: boolean) => void;
}

export const useChatStore = create<ChatStore>((set, get) => ({
  drafts: {},
  live: null,
  controller: null,
  errors: {},
  panel: { open: false, citations: [], active: null },
  setDraft: (key, text) => set((s) => ({ drafts: { ...s.drafts, [key]: text } })),
  start: (sessionId, question, controller) =>
    set((s) => {
      const errors = { ...s.errors };
      delete errors[sessionId];
      return {
        live: { sessionId, question, sources: [], text: "", status: "waiting", message: null },
        controller,
        errors,
      };
    }),
  patchLive: (patch) => set((s) => (s.live ? { live: { ...s.live, ...patch } } : {})),
  appendDelta: (text) =>
    set((s) =>
      s.live ? { live: { ...s.live, text: s.live.text + text, status: "streaming" } } : {},
    ),
  clearLive: () => set({ live: null, controller: null }),
  stop: () => {
    get().controller?.abort();
    set((s) => (s.live ? { live: { ...s.live, status: "stopped" }, controller: null } : {}));
  },
  setError: (sessionId, error) =>
    set((s) => {
      const errors = { ...s.errors };
      if (error) errors[sessionId] = error;
      else delete errors[sessionId];
      return { errors };
    }),
  openSources: (citations, active) => set({ panel: { open: true, citations, active } }),
  setPanelOpen: (open) => set((s) => ({ panel: { ...s.panel, open } })),
}));
