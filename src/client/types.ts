/**
 * The wire shapes the clients speak, inferred from the service's valibot
 * schemas. This is the one place `src/client` names them: when the schemas
 * move (to a contract module), only the import below changes. Type-only, so
 * nothing of the Worker is bundled with the client.
 */
import type * as v from "valibot";
import type * as wire from "../api/schemas.ts";

export type LinkView = v.InferOutput<typeof wire.Link>;
export type LinkSettings = LinkView["settings"];
export type LinkSummary = v.InferOutput<typeof wire.LinkSummary>;
export type LinkList = v.InferOutput<typeof wire.LinkList>;
export type CreatedLink = v.InferOutput<typeof wire.CreatedLinkResponse>;
/** The body of POST /api/links and PATCH /api/links/:id. */
export type SettingsInput = v.InferInput<typeof wire.SettingsInput>;
export type PublicLinkView = v.InferOutput<typeof wire.PublicLink>["link"];
export type UploadView = v.InferOutput<typeof wire.Upload>;
export type UploadList = v.InferOutput<typeof wire.UploadList>;
export type FileView = v.InferOutput<typeof wire.FileItem>;
export type FileList = v.InferOutput<typeof wire.FileList>;
export type CommandView = v.InferOutput<typeof wire.Command>;
export type CommandList = v.InferOutput<typeof wire.CommandList>;
export type CommandAccepted = v.InferOutput<typeof wire.CommandAccepted>;
export type AuditReport = v.InferOutput<typeof wire.AuditResponse>;
export type CreatedOwner = v.InferOutput<typeof wire.CreatedOwner>;
export type DeadLetterView = v.InferOutput<typeof wire.DeadLetter>;
export type DeadLetterList = v.InferOutput<typeof wire.DeadLetterList>;
export type DeadLetterDetail = v.InferOutput<typeof wire.DeadLetterDetail>;
export type DeadLetterStatus = NonNullable<
	v.InferOutput<typeof wire.DeadLetterListQuery>["status"]
>;
export type WireProblem = v.InferOutput<typeof wire.ProblemBody>;
