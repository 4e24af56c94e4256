/**
 * The D1 `webhook_endpoints` table: the endpoints owners registered. The
 * signing secret is stored sealed (src/lib/seal.ts), never in clear; after a
 * rotation the previous secret also signs until `previousUntil`. Written by
 * the owner routes, read by the webhook consumer. An owner has at most one
 * endpoint per URL: `url_key` (the URL as compared, computed by the caller
 * with `endpointUrlKey`) is unique per owner.
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

const COLUMNS = `id, owner_id, url, description, event_types, enabled, disabled_reason,
	secret_box, previous_secret_box, previous_until, failures, created_at, updated_at, url_key`;

const valuesOf = (e: EndpointRow, urlKey: string | null) => [
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
	urlKey,
];

/** Inserts `e` as it is (no limit; a null `urlKey` is never a duplicate). */
export async function insert(
	db: D1Database,
	e: EndpointRow,
	urlKey: string | null = null,
): Promise<void> {
	await db
		.prepare(`INSERT INTO ${T} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		.bind(...valuesOf(e, urlKey))
		.run();
}

/** The owner's endpoint whose URL is `urlKey`, other than `exceptId`, if any. */
async function holderOf(
	db: D1Database,
	ownerId: string,
	urlKey: string,
	exceptId: string,
): Promise<string | null> {
	const r = await db
		.prepare(`SELECT id FROM ${T} WHERE owner_id = ? AND url_key = ? AND id != ?`)
		.bind(ownerId, urlKey, exceptId)
		.first<{ id: string }>();
	return r?.id ?? null;
}

/** Why an insert or a URL change did not happen: the owner's endpoint that has the URL. */
export type Duplicate = { duplicateOf: string };

/**
 * Inserts `e` unless its owner already has `max` endpoints or one whose URL
 * is `urlKey`. One statement (the count in it, the unique index on the
 * owner and `url_key`), so concurrent creates cannot both pass either rule;
 * the reads after a refusal only say which rule refused.
 */
export async function insertUnderLimit(
	db: D1Database,
	e: EndpointRow,
	max: number,
	urlKey: string,
): Promise<"inserted" | "full" | Duplicate> {
	for (let attempt = 0; ; attempt++) {
		const res = await db
			.prepare(
				`INSERT INTO ${T} (${COLUMNS})
				 SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
				 WHERE (SELECT COUNT(*) FROM ${T} WHERE owner_id = ?) < ?
				 ON CONFLICT DO NOTHING`,
			)
			.bind(...valuesOf(e, urlKey), e.ownerId, max)
			.run();
		if ((res.meta.changes ?? 0) > 0) return "inserted";
		const holder = await holderOf(db, e.ownerId, urlKey, e.id);
		if (holder) return { duplicateOf: holder };
		const n = await db
			.prepare(`SELECT COUNT(*) AS n FROM ${T} WHERE owner_id = ?`)
			.bind(e.ownerId)
			.first<{ n: number }>();
		// Neither holds any more (an endpoint was deleted meanwhile): try again.
		if ((n?.n ?? 0) >= max || attempt >= 2) return "full";
	}
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

/** The enabled endpoints of `ownerId` (the fan-out picks its targets among them). */
export async function enabledOf(db: D1Database, ownerId: string): Promise<EndpointRow[]> {
	const rows = await db
		.prepare(`SELECT * FROM ${T} WHERE owner_id = ? AND enabled = 1`)
		.bind(ownerId)
		.all<Row>();
	return rows.results.map(fromRow);
}

/**
 * Writes every mutable field of `e` (description, types, enabled, reason,
 * secrets, failures) but the URL: `patch` moves an endpoint, with its
 * duplicate check.
 */
export async function update(db: D1Database, e: EndpointRow): Promise<void> {
	await db
		.prepare(
			`UPDATE ${T} SET description = ?, event_types = ?, enabled = ?, disabled_reason = ?,
				secret_box = ?, previous_secret_box = ?, previous_until = ?, failures = ?, updated_at = ?
			 WHERE id = ?`,
		)
		.bind(
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
	/** The URL as stored, and as compared for duplicates (`endpointUrlKey`). */
	url?: { href: string; key: string };
	description?: string;
	eventTypes?: WebhookEventType[];
	/** Enabling also clears `disabledReason` and `failures`; disabling clears the reason. */
	enabled?: boolean;
}

/**
 * Writes only the fields of `patch` (and `updated_at`), so that a delivery
 * counting a failure or disabling the endpoint meanwhile is not overwritten
 * by fields the owner did not touch. Nothing is written when another endpoint
 * of the owner has the new URL (the unique index, in the same statement).
 * Answers "patched", "missing" (no such row) or the endpoint with the URL.
 */
export async function patch(
	db: D1Database,
	id: string,
	p: EndpointPatch,
	now: string,
): Promise<"patched" | "missing" | Duplicate> {
	const sets: string[] = ["updated_at = ?"];
	const params: (string | number)[] = [now];
	if (p.url !== undefined) {
		sets.push("url = ?", "url_key = ?");
		params.push(p.url.href, p.url.key);
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
	for (let attempt = 0; ; attempt++) {
		const res = await db
			.prepare(`UPDATE OR IGNORE ${T} SET ${sets.join(", ")} WHERE id = ?`)
			.bind(...params, id)
			.run();
		if ((res.meta.changes ?? 0) > 0) return "patched";
		const row = await get(db, id);
		if (!row) return "missing";
		const holder = p.url ? await holderOf(db, row.ownerId, p.url.key, id) : null;
		if (holder) return { duplicateOf: holder };
		// The endpoint with the URL was deleted meanwhile: try again.
		if (attempt >= 2) throw new Error(`webhook endpoint ${id}: its update kept being ignored`);
	}
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
