/** The D1 `files` index, written by the DO when it finalizes or purges. */
import { D1 } from "../storage/names";

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

/** Idempotent: a retried finalize finds the rows already there. D1 batches of 100 statements. */
export async function indexFiles(db: D1Database, files: FileRow[]): Promise<void> {
	const insert = db.prepare(
		`INSERT INTO ${D1.files} (id, link_id, owner_id, upload_id, name, size, type, sha256, uploader_name,
			uploader_email, r2_key, finalized_epoch, created_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (upload_id) DO NOTHING`,
	);
	for (let i = 0; i < files.length; i += 100) {
		await db.batch(
			files
				.slice(i, i + 100)
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

export async function purgeFiles(db: D1Database, linkId: string): Promise<void> {
	await db.prepare(`DELETE FROM ${D1.files} WHERE link_id = ?`).bind(linkId).run();
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

export function fileFromRow(r: Row): FileRow {
	return {
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
	};
}

export async function getFile(db: D1Database, id: string): Promise<FileRow | null> {
	const r = await db.prepare(`SELECT * FROM ${D1.files} WHERE id = ?`).bind(id).first<Row>();
	return r ? fileFromRow(r) : null;
}

export async function listFiles(
	db: D1Database,
	linkId: string,
	after: { createdAt: string; id: string } | null,
	limit: number,
): Promise<FileRow[]> {
	const where = after ? "AND (created_at < ? OR (created_at = ? AND id < ?))" : "";
	const params = after ? [after.createdAt, after.createdAt, after.id] : [];
	const { results } = await db
		.prepare(
			`SELECT * FROM ${D1.files} WHERE link_id = ? ${where} ORDER BY created_at DESC, id DESC LIMIT ?`,
		)
		.bind(linkId, ...params, limit)
		.all<Row>();
	return results.map(fileFromRow);
}
