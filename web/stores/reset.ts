import { useChatStore } from "./chat";
import { useUploads } from "./uploads";

/**
 * Forget every piece of client-only state (drafts, the live answer and its stream, the sources
 * panel, uploads in flight) so nothing of one user is left for the next in the same tab.
 */
export function resetClientState(): void {
  useChatStore.getState().reset();
  useUploads.getState().reset();
}
