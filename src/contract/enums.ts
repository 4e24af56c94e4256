/**
 * Every enumeration the wire carries, declared once. The domain, the
 * schemas, the clients and the tools import them from here. No imports:
 * this file bundles into a browser or a CLI as it is.
 */

export const LINK_STATES = ["active", "paused", "revoked", "expired", "deleted"] as const;
export type LinkState = (typeof LINK_STATES)[number];

export const TERMINAL_STATES = ["revoked", "expired", "deleted"] as const;
export type TerminalState = (typeof TERMINAL_STATES)[number];

/** The columns of the terminal-state table: the state, or `closing` while a terminal command waits. */
export const PHASES = ["active", "paused", "closing", "revoked", "expired", "deleted"] as const;
export type Phase = (typeof PHASES)[number];

export const LATE_FINALIZE_POLICIES = ["recover", "reject"] as const;
export type LateFinalizePolicy = (typeof LATE_FINALIZE_POLICIES)[number];

export const COMMAND_KINDS = ["revoke", "delete", "expire", "finalize"] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

export const COMMAND_STATUSES = [
	"accepted",
	"applying",
	"succeeded",
	"rejected",
	"dead_lettered",
	"cancelled",
] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** Statuses a command never leaves (a dead-lettered command may be replayed). */
export const FINAL_STATUSES = ["succeeded", "rejected", "cancelled"] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

export function isFinal(status: CommandStatus): status is FinalStatus {
	return (FINAL_STATUSES as readonly string[]).includes(status);
}

/** Side-effect steps of terminal commands (which kind runs which: `STEPS` in src/domain/commands.ts). */
export const STEP_NAMES = ["cleanup-uploads", "purge-objects", "purge-index", "project"] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const UPLOAD_STATES = ["open", "completed", "finalized", "aborted", "rejected"] as const;
export type UploadState = (typeof UPLOAD_STATES)[number];

export const UPLOAD_MODES = ["single", "multipart"] as const;
export type UploadMode = (typeof UPLOAD_MODES)[number];

/** How a session's bytes arrive: the native /uploads API, or the tus endpoint. */
export const UPLOAD_PROTOCOLS = ["native", "tus"] as const;
export type UploadProtocol = (typeof UPLOAD_PROTOCOLS)[number];

export const DEAD_LETTER_STATUSES = ["pending", "replayed", "discarded", "invalid"] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/** Webhook event types (docs/webhooks.md has their payloads). */
export const WEBHOOK_EVENT_TYPES = [
	"upload.finalized",
	"upload.rejected",
	"link.paused",
	"link.resumed",
	"link.revoked",
	"link.deleted",
	"link.expired",
	"command.dead_lettered",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The type of the event "send a test event" delivers to one endpoint (never filtered out). */
export const WEBHOOK_TEST_EVENT_TYPE = "webhook.test";

/** How one delivery attempt ended. */
export const WEBHOOK_ATTEMPT_OUTCOMES = ["delivered", "failed", "gone", "refused"] as const;
export type WebhookAttemptOutcome = (typeof WEBHOOK_ATTEMPT_OUTCOMES)[number];
