/**
 * Storage names in one place: D1 tables, R2 keys, the DO's timers. The DO's
 * own tables are defined by its migrations (src/do/schema.ts); docs/storage.md
 * describes all of them.
 */

/** D1 tables: global indexes only (the Durable Object is authoritative for a link). */
export const D1 = {
	owners: "owners",
	apiKeys: "api_keys",
	links: "links",
	deadLetters: "dead_letters",
	files: "files",
	sessions: "sessions",
	webhookEndpoints: "webhook_endpoints",
	webhookEvents: "webhook_events",
	webhookDeliveries: "webhook_deliveries",
	webhookRedeliveries: "webhook_redeliveries",
	rateLimits: "rate_limits",
	reconcilerCursors: "reconciler_cursors",
} as const;

/** R2 keys are generated from ids, never from file names. */
export const R2Keys = {
	linkPrefix: (linkId: string): string => `links/${linkId}/`,
	upload: (linkId: string, uploadId: string): string => `links/${linkId}/uploads/${uploadId}`,
	/** A tus upload's remainder below a part boundary, written by one PATCH (`hold`); never a file. */
	tusRest: (linkId: string, uploadId: string, hold: string): string =>
		`links/${linkId}/uploads/${uploadId}.${hold}.rest`,
	/** The key GET /readyz heads to reach the bucket; never written (outside `links/`). */
	healthProbe: "health/probe",
	/** The upload id an object key belongs to (keys end in `/uploads/<uploadId>`). */
	uploadIdOf: (key: string): string => key.slice(key.lastIndexOf("/") + 1),
} as const;

/** Names of the timed work a LinkDO keeps in its timers table (a DO has one alarm). */
export const TIMERS = {
	expire: "expire",
	outbox: "outbox",
	projection: "projection",
	sweep: "sweep",
	sessions: "sessions",
	/** Offers each sink of the link's change feed the events it has not acknowledged (src/do/feed/). */
	events: "events",
	/** Writes the D1 row of a dead-lettered command until one write succeeds. */
	deadLetters: "dead-letters",
} as const;
export type TimerName = (typeof TIMERS)[keyof typeof TIMERS];
