// Names for the generated schemas (aliases only: every shape comes from openapi.json).
import type { components, operations } from "./schema";

type S = components["schemas"];

export type User = S["User"];
export type Organization = S["Organization"];
export type Role = S["User"]["role"];
export type Group = S["Group"];
export type InviteCreated = S["InviteCreated"];
export type Document = S["Document"];
export type DocumentStatus = S["Document"]["status"];
export type Visibility = S["Document"]["visibility"];
export type DocumentUpdate = S["DocumentUpdate"];
export type DocumentStats = S["DocumentStats"];
export type UploadAccepted = S["UploadAccepted"];
export type UploadForm =
  operations["upload_file_api_files_post"]["requestBody"]["content"]["multipart/form-data"];
export type SearchResponse = S["SearchResponse"];
export type ChatSession = S["Session"];
export type ChatSessionDetail = S["SessionDetail"];
export type ChatMessage = S["Message"];
export type Citation = S["Citation"];
export type Sentence = S["Sentence"];
export type Grounding = NonNullable<S["Message"]["grounding"]>;
export type MessageCreate = S["MessageCreate"];
export type SignInSession = S["SignInSession"];
export type AuditEvent = S["AuditEvent"];
export type PasswordResetIssued = S["PasswordResetIssued"];
