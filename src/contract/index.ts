/**
 * The one contract for every wire shape: the valibot schemas, the types
 * inferred from them, and the shared enumerations. The Worker validates with
 * the schemas; the Durable Object's views are typed as these types (so they
 * satisfy the schemas); the clients, the tests and the tools import the
 * types from here. Type-only imports of this module pull nothing of the
 * Worker into a browser or CLI bundle.
 */
import type * as v from "valibot";
import type * as wire from "./schemas";
import type * as webhookWire from "./webhook-schemas";

export * from "./enums";

export type LinkView = v.InferOutput<typeof wire.Link>;
export type LinkSettingsView = LinkView["settings"];
export type LinkSummary = v.InferOutput<typeof wire.LinkSummary>;
export type LinkList = v.InferOutput<typeof wire.LinkList>;
export type CreatedLink = v.InferOutput<typeof wire.CreatedLinkResponse>;
/** The body of POST /api/links and PATCH /api/links/:id, as a client writes it. */
export type SettingsInput = v.InferInput<typeof wire.SettingsInput>;
export type PublicLinkView = v.InferOutput<typeof wire.PublicLink>["link"];
export type UploadView = v.InferOutput<typeof wire.Upload>;
export type UploadList = v.InferOutput<typeof wire.UploadList>;
/** The body of POST /r/:linkId/uploads, as a client writes it. */
export type InitUploadInput = v.InferInput<typeof wire.InitUploadBody>;
export type CreatedUpload = v.InferOutput<typeof wire.CreatedUpload>;
export type PartAnswer = v.InferOutput<typeof wire.PartResponse>;
export type FileView = v.InferOutput<typeof wire.FileItem>;
export type FileList = v.InferOutput<typeof wire.FileList>;
export type CommandView = v.InferOutput<typeof wire.Command>;
export type CommandList = v.InferOutput<typeof wire.CommandList>;
export type CommandAccepted = v.InferOutput<typeof wire.CommandAccepted>;
export type SmallUploadAccepted = v.InferOutput<typeof wire.SmallUploadAccepted>;
export type AuditReport = v.InferOutput<typeof wire.AuditResponse>;
export type CreatedOwner = v.InferOutput<typeof wire.CreatedOwner>;
export type OwnerSummary = v.InferOutput<typeof wire.OwnerSummary>;
export type OwnerList = v.InferOutput<typeof wire.OwnerList>;
export type RotatedOwnerKey = v.InferOutput<typeof wire.RotatedOwnerKey>;
export type DeadLetterView = v.InferOutput<typeof wire.DeadLetter>;
export type DeadLetterList = v.InferOutput<typeof wire.DeadLetterList>;
export type DeadLetterDetail = v.InferOutput<typeof wire.DeadLetterDetail>;
export type ProblemBody = v.InferOutput<typeof wire.ProblemBody>;
export type WebhookEndpointView = v.InferOutput<typeof webhookWire.WebhookEndpoint>;
export type WebhookEndpointList = v.InferOutput<typeof webhookWire.WebhookEndpointList>;
export type CreatedWebhookEndpoint = v.InferOutput<typeof webhookWire.CreatedWebhookEndpoint>;
/** The body of POST /api/webhooks, as a client writes it. */
export type CreateWebhookInput = v.InferInput<typeof webhookWire.CreateWebhookBody>;
/** The body of PATCH /api/webhooks/:endpointId, as a client writes it. */
export type PatchWebhookInput = v.InferInput<typeof webhookWire.PatchWebhookBody>;
export type WebhookTestAccepted = v.InferOutput<typeof webhookWire.WebhookTestAccepted>;
export type DeliveryAttemptView = v.InferOutput<typeof webhookWire.DeliveryAttempt>;
export type DeliveryAttemptList = v.InferOutput<typeof webhookWire.DeliveryAttemptList>;
export type RedeliveryAccepted = v.InferOutput<typeof webhookWire.RedeliveryAccepted>;
