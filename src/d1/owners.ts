/**
 * The D1 `owners` and `api_keys` tables: owners and the hashes of their API
 * keys (an API key belongs to its owner, so one module holds both). Written
 * by the admin routes, read by authentication.
 */
import { D1 } from "../storage/names";

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
