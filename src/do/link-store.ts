/**
 * Reads and writes the single `link` row of a LinkDO. The row is the
 * authoritative lifecycle state (state, epoch, terminalEpoch) of the link.
 */
import type { Lifecycle, LinkState } from "../domain/lifecycle";
import type { LinkSettings } from "../domain/settings";
import type { Sql } from "./sql";

export interface LinkRecord extends Lifecycle {
	id: string;
	ownerId: string;
	tokenHash: string;
	/** The link secret sealed for its owner (src/lib/seal.ts); null for links made before migration 9. */
	secretBox: string | null;
	settings: LinkSettings;
	passwordHash: string | null;
	filesCount: number;
	bytesTotal: number;
	reservedFiles: number;
	reservedBytes: number;
	/** 1 at creation, +1 on every applied settings PATCH (with the epoch, the link's ETag). */
	settingsRevision: number;
	/** +1 on every change of the row; orders writes to the D1 projection. */
	version: number;
	projectedVersion: number;
	createdAt: string;
	updatedAt: string;
}

type LinkRow = {
	id: string;
	owner_id: string;
	token_hash: string;
	secret_box: string | null;
	state: string;
	epoch: number;
	terminal_epoch: number | null;
	settings: string;
	password_hash: string | null;
	files_count: number;
	bytes_total: number;
	reserved_files: number;
	reserved_bytes: number;
	settings_revision: number;
	version: number;
	projected_version: number;
	created_at: string;
	updated_at: string;
};

export function loadLink(sql: Sql): LinkRecord | null {
	const r = sql.one<LinkRow>("SELECT * FROM link LIMIT 1");
	if (!r) return null;
	return {
		id: r.id,
		ownerId: r.owner_id,
		tokenHash: r.token_hash,
		secretBox: r.secret_box ?? null,
		state: r.state as LinkState,
		epoch: r.epoch,
		terminalEpoch: r.terminal_epoch,
		settings: JSON.parse(r.settings) as LinkSettings,
		passwordHash: r.password_hash,
		filesCount: r.files_count,
		bytesTotal: r.bytes_total,
		reservedFiles: r.reserved_files,
		reservedBytes: r.reserved_bytes,
		settingsRevision: r.settings_revision,
		version: r.version,
		projectedVersion: r.projected_version,
		createdAt: r.created_at,
		updatedAt: r.updated_at,
	};
}

export function insertLink(sql: Sql, link: LinkRecord): void {
	sql.run(
		`INSERT INTO link (id, owner_id, token_hash, secret_box, state, epoch, terminal_epoch, settings,
			password_hash, settings_revision, version, projected_version, created_at, updated_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
		link.id,
		link.ownerId,
		link.tokenHash,
		link.secretBox,
		link.state,
		link.epoch,
		link.terminalEpoch,
		JSON.stringify(link.settings),
		link.passwordHash,
		link.settingsRevision,
		link.version,
		link.createdAt,
		link.updatedAt,
	);
}

/** Writes every mutable field and bumps `version`; returns the stored record. */
export function saveLink(sql: Sql, link: LinkRecord, now: string): LinkRecord {
	const next = { ...link, version: link.version + 1, updatedAt: now };
	sql.run(
		`UPDATE link SET state = ?, epoch = ?, terminal_epoch = ?, settings = ?, password_hash = ?,
			files_count = ?, bytes_total = ?, reserved_files = ?, reserved_bytes = ?,
			settings_revision = ?, version = ?, updated_at = ?`,
		next.state,
		next.epoch,
		next.terminalEpoch,
		JSON.stringify(next.settings),
		next.passwordHash,
		next.filesCount,
		next.bytesTotal,
		next.reservedFiles,
		next.reservedBytes,
		next.settingsRevision,
		next.version,
		next.updatedAt,
	);
	return next;
}

/** Takes back a link row no one has seen yet (its creation was refused after the insert). */
export function removeNewLink(sql: Sql, id: string): void {
	sql.run("DELETE FROM link WHERE id = ? AND version = 1", id);
}

export function markProjected(sql: Sql, version: number): void {
	sql.run("UPDATE link SET projected_version = ? WHERE projected_version < ?", version, version);
}

/** Records an applied transition (call in the transaction that saved the new epoch). */
export function recordTransition(sql: Sql, link: LinkRecord, kind: string): void {
	sql.run(
		"INSERT INTO transitions (epoch, kind, state, at) VALUES (?, ?, ?, ?)",
		link.epoch,
		kind,
		link.state,
		link.updatedAt,
	);
}

/** Every applied transition, for the audit (the epoch rises by one per row). */
export function listTransitions(sql: Sql): { epoch: number; kind: string }[] {
	return sql.all<{ epoch: number; kind: string }>(
		"SELECT epoch, kind FROM transitions ORDER BY epoch",
	);
}
