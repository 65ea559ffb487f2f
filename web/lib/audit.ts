import type { AuditEvent } from "@/lib/api/types";

/** Plain names for the actions the server records (an unknown one is shown as sent). */
export const AUDIT_ACTIONS: Record<string, string> = {
  "user.registered": "Registered",
  "user.updated": "User changed",
  "user.password_changed": "Password changed",
  "user.password_reset_issued": "Password reset link created",
  "user.password_reset": "Password reset",
  "invite.created": "Invite created",
  "invite.accepted": "Invite accepted",
  "organization.created": "Organization created",
  "group.created": "Group created",
  "group.member_added": "Added to group",
  "group.member_removed": "Removed from group",
  "document.uploaded": "Document uploaded",
  "document.access_changed": "Document sharing changed",
  "document.deleted": "Document deleted",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
};

export function actionLabel(action: string): string {
  return AUDIT_ACTIONS[action] ?? action;
}

export interface Names {
  user: (id: string) => string | undefined;
  group: (id: string) => string | undefined;
  organization: (id: string) => string | undefined;
}

/** The event's target in words: a person's email, a group's or file's name, else type and id. */
export function describeTarget(event: AuditEvent, names: Names): string {
  const { target_type: type, target_id: id, data } = event;
  if (!type) return "—";
  const text = (key: string) => (typeof data[key] === "string" ? (data[key] as string) : null);
  let name: string | null | undefined = null;
  if (type === "user" && id) name = names.user(id);
  else if (type === "group" && id) name = names.group(id);
  else if (type === "organization" && id) name = names.organization(id);
  else if (type === "document") name = text("filename");
  else if (type === "invite") name = text("email");
  return name ? `${type} ${name}` : id ? `${type} ${id.slice(0, 8)}` : type;
}

/** The event's extra facts ("role: admin", "user: ann@example.com"), ids named where known. */
export function describeData(event: AuditEvent, names: Names): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(event.data)) {
    // The file's and the invitee's names are already the target; a hash says nothing here.
    if (key === "filename" || key === "sha256" || value === null) continue;
    if (key === "email" && event.target_type === "invite") continue;
    if (key === "user_id" && typeof value === "string") {
      parts.push(`user: ${names.user(value) ?? value.slice(0, 8)}`);
    } else if (key === "size_bytes" && typeof value === "number") {
      parts.push(`${Math.max(1, Math.round(value / 1024))} KB`);
    } else if (Array.isArray(value)) {
      if (value.length) parts.push(`${key.replace(/_ids$/, "s")}: ${value.length}`);
    } else if (typeof value !== "object") {
      parts.push(`${key.replace(/_/g, " ")}: ${String(value)}`);
    }
  }
  return parts.join(" · ");
}
