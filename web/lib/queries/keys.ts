export const queryKeys = {
  me: ["me"] as const,
  documents: ["documents"] as const,
  documentList: (q: string) => ["documents", "list", q] as const,
  document: (id: string) => ["documents", "one", id] as const,
  documentStats: ["documents", "stats"] as const,
  search: (query: string) => ["search", query] as const,
  sessions: ["chat", "sessions"] as const,
  session: (id: string) => ["chat", "session", id] as const,
  users: ["admin", "users"] as const,
  groups: ["groups"] as const,
  health: ["health"] as const,
};
