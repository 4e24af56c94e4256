/**
 * The D1 `files` table: the owner-facing index of finalized files. The DO
 * writes it when it finalizes uploads and when a delete purges a link; the
 * api reads it for listings and downloads.
 */
import { D1 } from "../storage/names";
import { type Keyset, keysetPage, type Page } from "./keyset";

export interface FileRow {
	id: string;
	linkId: string;
	ownerId: string;
	uploadId: string;
	name: string;
	size: number;
	type: string;
	sha256: string | null;
	uploaderName: string | null;
	uploaderEmail: string | null;
	r2Key: string;
	finalizedEpoch: number;
	createdAt: string;
}

type Row = {
	id: string;
	link_id: string;
	owner_id: string;
	upload_id: string;
	name: string;
	size: number;
	type: string;
	sha256: string | null;
	uploader_name: string | null;
	uploader_email: string | null;
	r2_key: string;
	finalized_epoch: number;
	created_at: string;
};

const fileOf = (r: Row): FileRow => ({
	id: r.id,
	linkId: r.link_id,
	ownerId: r.owner_id,
	uploadId: r.upload_id,
	name: r.name,
	size: r.size,
	type: r.type,
	sha256: r.sha256,
	uploaderName: r.uploader_name,
	uploaderEmail: r.uploader_email,
	r2Key: r.r2_key,
	finalizedEpoch: r.finalized_epoch,
	createdAt: r.created_at,
});

/** D1 runs at most 100 statements per batch. */
const BATCH = 100;

/** Indexes files; idempotent (a retried finalize finds its rows already there). */
export async function insertMany(db: D1Database, files: FileRow[]): Promise<void> {
	const insert = db.prepare(
		`INSERT INTO ${D1.files} (id, link_id, owner_id, upload_id, name, size, type, sha256, uploader_name,
			uploader_email, r2_key, finalized_epoch, created_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (upload_id) DO NOTHING`,
	);
	for (let i = 0; i < files.length; i += BATCH) {
		await db.batch(
			files
				.slice(i, i + BATCH)
				.map((f) =>
					insert.bind(
						f.id,
						f.linkId,
						f.ownerId,
						f.uploadId,
						f.name,
						f.size,
						f.type,
						f.sha256,
						f.uploaderName,
						f.uploaderEmail,
						f.r2Key,
						f.finalizedEpoch,
						f.createdAt,
					),
				),
		);
	}
}

/** Removes every file of a link from the index (a delete's `purge-index` step). */
export async function deleteForLink(db: D1Database, linkId: string): Promise<void> {
	await db.prepare(`DELETE FROM ${D1.files} WHERE link_id = ?`).bind(linkId).run();
}

export async function get(db: D1Database, id: string): Promise<FileRow | null> {
	const r = await db.prepare(`SELECT * FROM ${D1.files} WHERE id = ?`).bind(id).first<Row>();
	return r ? fileOf(r) : null;
}

/** One page of a link's files, newest first. */
export function listForLink(
	db: D1Database,
	linkId: string,
	after: Keyset | null,
	limit: number,
): Promise<Page<FileRow>> {
	return keysetPage(db, D1.files, { link_id: linkId }, after, limit, fileOf);
}

/** Files and bytes received per link. */
export interface FileTotals {
	files: number;
	bytes: number;
}

/**
 * How many files (and bytes) each of `linkIds` received: one grouped query
 * for a page of a listing (the `files_by_link` index serves it); a link with
 * no file is absent from the map.
 */
export async function totalsForLinks(
	db: D1Database,
	linkIds: readonly string[],
): Promise<Map<string, FileTotals>> {
	const totals = new Map<string, FileTotals>();
	if (linkIds.length === 0) return totals;
	const { results } = await db
		.prepare(
			`SELECT link_id, COUNT(*) AS files, COALESCE(SUM(size), 0) AS bytes FROM ${D1.files}
			 WHERE link_id IN (${linkIds.map(() => "?").join(", ")}) GROUP BY link_id`,
		)
		.bind(...linkIds)
		.all<{ link_id: string; files: number; bytes: number }>();
	for (const r of results) totals.set(r.link_id, { files: r.files, bytes: r.bytes });
	return totals;
}

/** The upload ids of every indexed file of a link (for the audit). */
export async function uploadIdsForLink(db: D1Database, linkId: string): Promise<string[]> {
	const { results } = await db
		.prepare(`SELECT upload_id FROM ${D1.files} WHERE link_id = ?`)
		.bind(linkId)
		.all<{ upload_id: string }>();
	return results.map((r) => r.upload_id);
}
