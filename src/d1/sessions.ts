/**
 * The D1 `sessions` table: browser sessions of the dashboard and the admin
 * console. Only the SHA-256 of a session id is stored. A session is live
 * while it is neither revoked nor expired and the credential it was opened
 * with still holds: an owner's API key not revoked (rotation ends its
 * sessions), the admin token unchanged (checked by the caller).
 */
import { D1 } from "../storage/names";

export type SessionKind = "owner" | "admin";

export interface SessionRow {
	idHash: string;
	kind: SessionKind;
	ownerId: string | null;
	/** SHA-256 of the API key (owner) or of the admin token (admin) it was opened with. */
	keyHash: string;
	createdAt: string;
	expiresAt: string;
}

export async function insert(db: D1Database, row: SessionRow): Promise<void> {
	await db
		.prepare(
			`INSERT INTO ${D1.sessions} (id_hash, kind, owner_id, key_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		)
		.bind(row.idHash, row.kind, row.ownerId, row.keyHash, row.createdAt, row.expiresAt)
		.run();
}

/**
 * The live session of this id hash and kind at `now`, or null. An owner
 * session whose API key has been revoked is not live.
 */
export async function live(
	db: D1Database,
	idHash: string,
	kind: SessionKind,
	now: string,
): Promise<SessionRow | null> {
	const row = await db
		.prepare(
			`SELECT s.id_hash, s.kind, s.owner_id, s.key_hash, s.created_at, s.expires_at
			 FROM ${D1.sessions} s
			 WHERE s.id_hash = ? AND s.kind = ? AND s.revoked_at IS NULL AND s.expires_at > ?
			   AND (s.kind = 'admin' OR EXISTS (
			     SELECT 1 FROM ${D1.apiKeys} k
			     WHERE k.key_hash = s.key_hash AND k.owner_id = s.owner_id AND k.revoked_at IS NULL))`,
		)
		.bind(idHash, kind, now)
		.first<{
			id_hash: string;
			kind: SessionKind;
			owner_id: string | null;
			key_hash: string;
			created_at: string;
			expires_at: string;
		}>();
	if (!row) return null;
	return {
		idHash: row.id_hash,
		kind: row.kind,
		ownerId: row.owner_id,
		keyHash: row.key_hash,
		createdAt: row.created_at,
		expiresAt: row.expires_at,
	};
}

/** Ends a session (sign-out); a session already ended stays as it was. */
export async function revoke(db: D1Database, idHash: string, now: string): Promise<void> {
	await db
		.prepare(`UPDATE ${D1.sessions} SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL`)
		.bind(now, idHash)
		.run();
}

/** Removes sessions that expired before `before` (at most `limit` per call). */
export async function purgeExpired(db: D1Database, before: string, limit = 500): Promise<number> {
	const res = await db
		.prepare(
			`DELETE FROM ${D1.sessions} WHERE id_hash IN (SELECT id_hash FROM ${D1.sessions} WHERE expires_at < ? LIMIT ?)`,
		)
		.bind(before, limit)
		.run();
	return res.meta.changes ?? 0;
}
