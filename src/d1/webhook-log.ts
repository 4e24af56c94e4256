/**
 * The D1 `webhook_events` and `webhook_deliveries` tables. Events are copied
 * here by the webhook consumer when it first fans one out (idempotent: the
 * event id is the key), so every delivery and redelivery sends the exact
 * stored body. Each delivery attempt is one `webhook_deliveries` row: the
 * owner's delivery log. Written by the consumer, read by the owner routes.
 */
import type { WebhookAttemptOutcome } from "../contract/enums";
import { D1 } from "../storage/names";
import { type Keyset, keysetPage, type Page } from "./keyset";

export interface EventRow {
	id: string;
	ownerId: string;
	linkId: string | null;
	type: string;
	/** The exact JSON body every delivery sends. */
	payload: string;
	createdAt: string;
}

type EventDbRow = {
	id: string;
	owner_id: string;
	link_id: string | null;
	type: string;
	payload: string;
	created_at: string;
};

const eventOf = (r: EventDbRow): EventRow => ({
	id: r.id,
	ownerId: r.owner_id,
	linkId: r.link_id,
	type: r.type,
	payload: r.payload,
	createdAt: r.created_at,
});

/** Stores an event; a second insert of the same id changes nothing (the first body wins). */
export async function insertEvent(db: D1Database, e: EventRow): Promise<void> {
	await db
		.prepare(
			`INSERT OR IGNORE INTO ${D1.webhookEvents} (id, owner_id, link_id, type, payload, created_at)
			 VALUES (?, ?, ?, ?, ?, ?)`,
		)
		.bind(e.id, e.ownerId, e.linkId, e.type, e.payload, e.createdAt)
		.run();
}

export async function getEvent(db: D1Database, id: string): Promise<EventRow | null> {
	const r = await db
		.prepare(`SELECT * FROM ${D1.webhookEvents} WHERE id = ?`)
		.bind(id)
		.first<EventDbRow>();
	return r ? eventOf(r) : null;
}

export interface AttemptRow {
	id: string;
	endpointId: string;
	eventId: string;
	/** The queue's attempt number of the delivery message (1 for the first). */
	attempt: number;
	outcome: WebhookAttemptOutcome;
	/** The receiver's HTTP status; null when no answer came (timeout, network, refused). */
	status: number | null;
	latencyMs: number | null;
	/** The first bytes of the answer, or the error. */
	responseExcerpt: string | null;
	/** When the next attempt is planned; null when none is. */
	nextAttemptAt: string | null;
	createdAt: string;
}

/** An attempt as the delivery log lists it: with its event's type. */
export interface LoggedAttempt extends AttemptRow {
	eventType: string | null;
}

type AttemptDbRow = {
	id: string;
	endpoint_id: string;
	event_id: string;
	attempt: number;
	outcome: string;
	status: number | null;
	latency_ms: number | null;
	response_excerpt: string | null;
	next_attempt_at: string | null;
	created_at: string;
	event_type?: string | null;
};

const attemptOf = (r: AttemptDbRow): AttemptRow => ({
	id: r.id,
	endpointId: r.endpoint_id,
	eventId: r.event_id,
	attempt: r.attempt,
	outcome: r.outcome as WebhookAttemptOutcome,
	status: r.status,
	latencyMs: r.latency_ms,
	responseExcerpt: r.response_excerpt,
	nextAttemptAt: r.next_attempt_at,
	createdAt: r.created_at,
});

/** Ids sort by time within a millisecond too (`created_at` ties), so the log keeps its order. */
const newAttemptId = () =>
	`wda_${Date.now().toString(36).padStart(9, "0")}${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;

/** Appends one attempt to the delivery log; answers the stored row. */
export async function recordAttempt(
	db: D1Database,
	a: Omit<AttemptRow, "id" | "createdAt"> & { createdAt?: string },
): Promise<AttemptRow> {
	const row: AttemptRow = {
		...a,
		id: newAttemptId(),
		createdAt: a.createdAt ?? new Date().toISOString(),
	};
	await db
		.prepare(
			`INSERT INTO ${D1.webhookDeliveries} (id, endpoint_id, event_id, attempt, outcome, status,
				latency_ms, response_excerpt, next_attempt_at, created_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		)
		.bind(
			row.id,
			row.endpointId,
			row.eventId,
			row.attempt,
			row.outcome,
			row.status,
			row.latencyMs,
			row.responseExcerpt,
			row.nextAttemptAt,
			row.createdAt,
		)
		.run();
	return row;
}

/** One page of an endpoint's attempts, newest first, each with its event's type. */
export function listForEndpoint(
	db: D1Database,
	endpointId: string,
	after: Keyset | null,
	limit: number,
): Promise<Page<LoggedAttempt>> {
	const joined = `(SELECT d.*, e.type AS event_type FROM ${D1.webhookDeliveries} d
		LEFT JOIN ${D1.webhookEvents} e ON e.id = d.event_id) AS log`;
	return keysetPage<AttemptDbRow, LoggedAttempt>(
		db,
		joined,
		{ endpoint_id: endpointId },
		after,
		limit,
		(r) => ({ ...attemptOf(r), eventType: r.event_type ?? null }),
	);
}

/** Every attempt to deliver `eventId` to `endpointId`, oldest first. */
export async function attemptsOf(
	db: D1Database,
	eventId: string,
	endpointId: string,
): Promise<AttemptRow[]> {
	const { results } = await db
		.prepare(
			`SELECT * FROM ${D1.webhookDeliveries} WHERE event_id = ? AND endpoint_id = ?
			 ORDER BY created_at, id`,
		)
		.bind(eventId, endpointId)
		.all<AttemptDbRow>();
	return results.map(attemptOf);
}

/** Whether `endpointId` had any attempt of `eventId` (it was one of the event's targets). */
export async function hasAttempt(
	db: D1Database,
	eventId: string,
	endpointId: string,
): Promise<boolean> {
	const r = await db
		.prepare(
			`SELECT 1 AS one FROM ${D1.webhookDeliveries} WHERE event_id = ? AND endpoint_id = ? LIMIT 1`,
		)
		.bind(eventId, endpointId)
		.first<{ one: number }>();
	return r !== null;
}

/** When the endpoint last answered a delivery with 2xx (null: never). */
export async function lastDeliveredAt(db: D1Database, endpointId: string): Promise<string | null> {
	const r = await db
		.prepare(
			`SELECT MAX(created_at) AS at FROM ${D1.webhookDeliveries}
			 WHERE endpoint_id = ? AND outcome = 'delivered'`,
		)
		.bind(endpointId)
		.first<{ at: string | null }>();
	return r?.at ?? null;
}
