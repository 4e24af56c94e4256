/**
 * The D1 `owners` and `api_keys` tables: owners and the hashes of their API
 * keys (an API key belongs to its owner, so one module holds both). Written
 * by the admin routes (create, key rotation), read by authentication and the
 * admin owner routes.
 */
import { D1 } from "../storage/names";
import { type Keyset, keysetPage, type Page } from "./keyset";
import { linkCountSql } from "./links";

export interface OwnerRow {
	id: string;
	name: string;
	email: string | null;
	createdAt: string;
}

/** An API key as stored: never the key itself, only its SHA-256 and first characters. */
export interface ApiKeyRow {
	keyHash: string;
	keyPrefix: string;
}

/**
 * An owner as the admin routes show it: its live key only by prefix and
 * creation time (never the key or its hash), and how many links it has.
 */
export interface OwnerSummary extends OwnerRow {
	/** The live key's first characters; null if the owner has no live key. */
	keyPrefix: string | null;
	keyCreatedAt: string | null;
	linkCount: number;
}

type SummaryRow = {
	id: string;
	name: string;
	email: string | null;
	created_at: string;
	key_prefix: string | null;
	key_created_at: string | null;
	link_count: number;
};

/**
 * Owners with their newest live key and their link count, as a derived table
 * with `created_at` and `id` for keyset pagination. SQLite flattens it, so a
 * page walks `owners_by_created` and looks up each row's key and count.
 */
const SUMMARIES = `(
	SELECT o.id, o.name, o.email, o.created_at,
		k.key_prefix, k.created_at AS key_created_at, ${linkCountSql("o.id")} AS link_count
	FROM ${D1.owners} o
	LEFT JOIN ${D1.apiKeys} k ON k.id = (
		SELECT id FROM ${D1.apiKeys} WHERE owner_id = o.id AND revoked_at IS NULL
		ORDER BY created_at DESC, id DESC LIMIT 1
	)
) AS owner_summaries`;

const summaryOf = (r: SummaryRow): OwnerSummary => ({
	id: r.id,
	name: r.name,
	email: r.email,
	createdAt: r.created_at,
	keyPrefix: r.key_prefix,
	keyCreatedAt: r.key_created_at,
	linkCount: r.link_count,
});

/** Creates an owner and its first API key, both or neither (one D1 batch). */
export async function createWithKey(
	db: D1Database,
	owner: OwnerRow,
	key: ApiKeyRow,
): Promise<void> {
	await db.batch([
		db
			.prepare(`INSERT INTO ${D1.owners} (id, name, email, created_at) VALUES (?, ?, ?, ?)`)
			.bind(owner.id, owner.name, owner.email, owner.createdAt),
		db
			.prepare(
				`INSERT INTO ${D1.apiKeys} (id, owner_id, key_hash, key_prefix, created_at) VALUES (?, ?, ?, ?, ?)`,
			)
			.bind(crypto.randomUUID(), owner.id, key.keyHash, key.keyPrefix, owner.createdAt),
	]);
}

/** One page of owners, newest first. */
export function list(
	db: D1Database,
	after: Keyset | null,
	limit: number,
): Promise<Page<OwnerSummary>> {
	return keysetPage(db, SUMMARIES, {}, after, limit, summaryOf);
}

/** One owner, or null when there is none. */
export async function get(db: D1Database, id: string): Promise<OwnerSummary | null> {
	const row = await db
		.prepare(`SELECT * FROM ${SUMMARIES} WHERE id = ?`)
		.bind(id)
		.first<SummaryRow>();
	return row ? summaryOf(row) : null;
}

/**
 * Replaces the owner's API key, in one D1 batch (all or nothing): every live
 * key of the owner is revoked at `now` and `key` is inserted as its only live
 * key. Answers the owner as it is afterwards; null for an unknown owner, for
 * which nothing is written (the insert selects the owner row, so it inserts
 * nothing when there is none; an unknown owner has no keys to revoke).
 */
export async function rotateKey(
	db: D1Database,
	ownerId: string,
	key: ApiKeyRow,
	now: string,
): Promise<OwnerSummary | null> {
	const results = await db.batch<SummaryRow>([
		db
			.prepare(`UPDATE ${D1.apiKeys} SET revoked_at = ? WHERE owner_id = ? AND revoked_at IS NULL`)
			.bind(now, ownerId),
		db
			.prepare(
				`INSERT INTO ${D1.apiKeys} (id, owner_id, key_hash, key_prefix, created_at)
				 SELECT ?, id, ?, ?, ? FROM ${D1.owners} WHERE id = ?`,
			)
			.bind(crypto.randomUUID(), key.keyHash, key.keyPrefix, now, ownerId),
		db.prepare(`SELECT * FROM ${SUMMARIES} WHERE id = ?`).bind(ownerId),
	]);
	const row = results[2]?.results[0];
	return row ? summaryOf(row) : null;
}

/** The owner of a live (not revoked) API key, found by the key's hash; null when there is none. */
export async function ownerOfKey(
	db: D1Database,
	keyHash: string,
): Promise<{ ownerId: string; keyHash: string } | null> {
	const row = await db
		.prepare(
			`SELECT owner_id, key_hash FROM ${D1.apiKeys} WHERE key_hash = ? AND revoked_at IS NULL`,
		)
		.bind(keyHash)
		.first<{ owner_id: string; key_hash: string }>();
	return row ? { ownerId: row.owner_id, keyHash: row.key_hash } : null;
}

/**
 * The ids of the owners whose e-mail is `email`, compared case-insensitively
 * (SQLite's `lower` folds ASCII; Access sign-in, src/pages/access.ts). At most
 * two, oldest first: two mean the e-mail is ambiguous.
 */
export async function idsByEmail(db: D1Database, email: string): Promise<string[]> {
	const rows = await db
		.prepare(
			`SELECT id FROM ${D1.owners} WHERE lower(email) = lower(?) ORDER BY created_at, id LIMIT 2`,
		)
		.bind(email.trim())
		.all<{ id: string }>();
	return rows.results.map((r) => r.id);
}
