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
}

/** Files being sent in this tab (client-only; the server's list is the documents query). */
export const useUploads = create<UploadStore>((set) => ({
  items: [],
  add: (item) => set((s) => ({ items: [item, ...s.items] })),
  update: (id, patch) =>
    set((s) => ({ items: s.items.map((it) => (it.id === id ? { ...it, ...patch } : it)) })),
  remove: (id) => set((s) => ({ items: s.items.filter((it) => it.id !== id) })),
  clearFinished: () => set((s) => ({ items: s.items.filter((it) => it.state === "uploading") })),
}));
