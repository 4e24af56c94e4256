/**
 * The D1 `webhook_endpoints` table: the endpoints owners registered. The
 * signing secret is stored sealed (src/lib/seal.ts), never in clear; after a
 * rotation the previous secret also signs until `previousUntil`. Written by
 * the owner routes, read by the webhook consumer.
 */
import type { WebhookEventType } from "../contract/enums";
import { D1 } from "../storage/names";
import { type Keyset, keysetPage, type Page } from "./keyset";

export interface EndpointRow {
	id: string;
	ownerId: string;
	url: string;
	description: string;
	/** Event types it takes; empty: every type. */
	eventTypes: WebhookEventType[];
	enabled: boolean;
	/** Why the service disabled it (410, persistent failure); null otherwise. */
	disabledReason: string | null;
	secretBox: string;
	previousSecretBox: string | null;
	previousUntil: string | null;
	/** Consecutive failed deliveries. */
	failures: number;
	createdAt: string;
	updatedAt: string;
}

type Row = {
	id: string;
	owner_id: string;
	url: string;
	description: string;
	event_types: string;
	enabled: number;
	disabled_reason: string | null;
	secret_box: string;
	previous_secret_box: string | null;
	previous_until: string | null;
	failures: number;
	created_at: string;
	updated_at: string;
};

const fromRow = (r: Row): EndpointRow => ({
	id: r.id,
	ownerId: r.owner_id,
	url: r.url,
	description: r.description,
	eventTypes: JSON.parse(r.event_types) as WebhookEventType[],
	enabled: r.enabled === 1,
	disabledReason: r.disabled_reason,
	secretBox: r.secret_box,
	previousSecretBox: r.previous_secret_box,
	previousUntil: r.previous_until,
	failures: r.failures,
	createdAt: r.created_at,
	updatedAt: r.updated_at,
});

const T = D1.webhookEndpoints;

export async function insert(db: D1Database, e: EndpointRow): Promise<void> {
	await db
		.prepare(
			`INSERT INTO ${T} (id, owner_id, url, description, event_types, enabled, disabled_reason,
				secret_box, previous_secret_box, previous_until, failures, created_at, updated_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		)
		.bind(
			e.id,
			e.ownerId,
			e.url,
			e.description,
			JSON.stringify(e.eventTypes),
			e.enabled ? 1 : 0,
			e.disabledReason,
			e.secretBox,
			e.previousSecretBox,
			e.previousUntil,
			e.failures,
			e.createdAt,
			e.updatedAt,
		)
		.run();
}

/**
 * Inserts `e` unless its owner already has `max` endpoints; answers whether
 * it did. One statement, so two concurrent creates cannot both pass the count.
 */
export async function insertUnderLimit(
	db: D1Database,
	e: EndpointRow,
	max: number,
): Promise<boolean> {
	const res = await db
		.prepare(
			`INSERT INTO ${T} (id, owner_id, url, description, event_types, enabled, disabled_reason,
				secret_box, previous_secret_box, previous_until, failures, created_at, updated_at)
			 SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
			 WHERE (SELECT COUNT(*) FROM ${T} WHERE owner_id = ?) < ?`,
		)
		.bind(
			e.id,
			e.ownerId,
			e.url,
			e.description,
			JSON.stringify(e.eventTypes),
			e.enabled ? 1 : 0,
			e.disabledReason,
			e.secretBox,
			e.previousSecretBox,
			e.previousUntil,
			e.failures,
			e.createdAt,
			e.updatedAt,
			e.ownerId,
			max,
		)
		.run();
	return (res.meta.changes ?? 0) > 0;
}

/** One endpoint by id (any owner: callers check ownership), or null. */
export async function get(db: D1Database, id: string): Promise<EndpointRow | null> {
	const r = await db.prepare(`SELECT * FROM ${T} WHERE id = ?`).bind(id).first<Row>();
	return r ? fromRow(r) : null;
}

/** One page of an owner's endpoints (undefined: every owner's), newest first. */
export function list(
	db: D1Database,
	ownerId: string | undefined,
	after: Keyset | null,
	limit: number,
): Promise<Page<EndpointRow>> {
	return keysetPage<Row, EndpointRow>(db, T, { owner_id: ownerId }, after, limit, fromRow);
}

/** The enabled endpoints of `ownerId` that take events of `type`. */
export async function targetsOf(
	db: D1Database,
	ownerId: string,
	type: WebhookEventType,
): Promise<EndpointRow[]> {
	const rows = await db
		.prepare(`SELECT * FROM ${T} WHERE owner_id = ? AND enabled = 1`)
		.bind(ownerId)
		.all<Row>();
	return rows.results
		.map(fromRow)
		.filter((e) => e.eventTypes.length === 0 || e.eventTypes.includes(type));
}

/** Writes every mutable field of `e` (url, description, types, enabled, reason, secrets, failures). */
export async function update(db: D1Database, e: EndpointRow): Promise<void> {
	await db
		.prepare(
			`UPDATE ${T} SET url = ?, description = ?, event_types = ?, enabled = ?, disabled_reason = ?,
				secret_box = ?, previous_secret_box = ?, previous_until = ?, failures = ?, updated_at = ?
			 WHERE id = ?`,
		)
		.bind(
			e.url,
			e.description,
			JSON.stringify(e.eventTypes),
			e.enabled ? 1 : 0,
			e.disabledReason,
			e.secretBox,
			e.previousSecretBox,
			e.previousUntil,
			e.failures,
			e.updatedAt,
			e.id,
		)
		.run();
}

export async function remove(db: D1Database, id: string): Promise<boolean> {
	const res = await db.prepare(`DELETE FROM ${T} WHERE id = ?`).bind(id).run();
	return (res.meta.changes ?? 0) > 0;
}

/** A delivery succeeded: the failure count starts again. */
export async function markDelivered(db: D1Database, id: string, now: string): Promise<void> {
	await db
		.prepare(`UPDATE ${T} SET failures = 0, updated_at = ? WHERE id = ? AND failures > 0`)
		.bind(now, id)
		.run();
}

/** A delivery failed: one more consecutive failure; answers the new count. */
export async function markFailed(db: D1Database, id: string, now: string): Promise<number> {
	const row = await db
		.prepare(
			`UPDATE ${T} SET failures = failures + 1, updated_at = ? WHERE id = ? RETURNING failures`,
		)
		.bind(now, id)
		.first<{ failures: number }>();
	return row?.failures ?? 0;
}

/** The service disables an endpoint (410, persistent failure) and says why. */
export async function disable(
	db: D1Database,
	id: string,
	reason: string,
	now: string,
): Promise<void> {
	await db
		.prepare(`UPDATE ${T} SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ?`)
		.bind(reason, now, id)
		.run();
}

/** What an owner may change; an absent field is left as it is. */
export interface EndpointPatch {
	url?: string;
	description?: string;
	eventTypes?: WebhookEventType[];
	/** Enabling also clears `disabledReason` and `failures`; disabling clears the reason. */
	enabled?: boolean;
}

/**
 * Writes only the fields of `patch` (and `updated_at`), so that a delivery
 * counting a failure or disabling the endpoint meanwhile is not overwritten
 * by fields the owner did not touch. Answers whether the row exists.
 */
export async function patch(
	db: D1Database,
	id: string,
	p: EndpointPatch,
	now: string,
): Promise<boolean> {
	const sets: string[] = ["updated_at = ?"];
	const params: (string | number)[] = [now];
	if (p.url !== undefined) {
		sets.push("url = ?");
		params.push(p.url);
	}
	if (p.description !== undefined) {
		sets.push("description = ?");
		params.push(p.description);
	}
	if (p.eventTypes !== undefined) {
		sets.push("event_types = ?");
		params.push(JSON.stringify(p.eventTypes));
	}
	if (p.enabled === true) sets.push("enabled = 1", "disabled_reason = NULL", "failures = 0");
	if (p.enabled === false) sets.push("enabled = 0", "disabled_reason = NULL");
	const res = await db
		.prepare(`UPDATE ${T} SET ${sets.join(", ")} WHERE id = ?`)
		.bind(...params, id)
		.run();
	return (res.meta.changes ?? 0) > 0;
}

/**
 * A new secret box; the current one becomes the previous until `until`.
 * Compare-and-set on the current box: of two concurrent rotations one wins
 * and the other answers false (so no secret is dropped unseen).
 */
export async function rotateSecret(
	db: D1Database,
	id: string,
	current: string,
	next: string,
	until: string,
	now: string,
): Promise<boolean> {
	const res = await db
		.prepare(
			`UPDATE ${T} SET secret_box = ?, previous_secret_box = ?, previous_until = ?, updated_at = ?
			 WHERE id = ? AND secret_box = ?`,
		)
		.bind(next, current, until, now, id, current)
		.run();
	return (res.meta.changes ?? 0) > 0;
}
