import { create } from "zustand";

export type UploadState = "uploading" | "done" | "error";

export interface UploadItem {
  id: string;
  name: string;
  size: number;
  progress: number; // 0–1
  state: UploadState;
  error: string | null;
  abort: (() => void) | null;
}

interface UploadStore {
  items: UploadItem[];
  add: (item: UploadItem) => void;
  update: (id: string, patch: Partial<UploadItem>) => void;
  remove: (id: string) => void;
  clearFinished: () => void;
  /** Abort uploads in flight and forget the list (sign-in, sign-out). */
  reset: () => void;
}

/** Files being sent in this tab (client-only; the server's list is the documents query). */
export const useUploads = create<UploadStore>((set, get) => ({
  items: [],
  add: (item) => set((s) => ({ items: [item, ...s.items] })),
  update: (id, patch) =>
    set((s) => ({ items: s.items.map((it) => (it.id === id ? { ...it, ...patch } : it)) })),
  remove: (id) => set((s) => ({ items: s.items.filter((it) => it.id !== id) })),
  clearFinished: () => set((s) => ({ items: s.items.filter((it) => it.state === "uploading") })),
  reset: () => {
    const items = get().items;
    set({ items: [] });
    for (const item of items) item.abort?.();
  },
}));
