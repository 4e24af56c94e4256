/**
 * The upload ledger of one link (tables `uploads` and `parts`): typed rows,
 * no decisions. Every row records the epoch it was admitted, completed,
 * recorded or finalized at.
 */
import type { UploadMode, UploadProtocol, UploadState } from "../contract/enums";
import type { Sql } from "./sql";

export interface UploadRecord {
	id: string;
	tokenHash: string;
	name: string;
	size: number;
	type: string;
	mode: UploadMode;
	partSize: number | null;
	/** The store's id of its multipart upload (column `r2_upload_id`); null until recorded. */
	multipartId: string | null;
	state: UploadState;
	admittedEpoch: number;
	completedEpoch: number | null;
	finalizedEpoch: number | null;
	uploaderName: string | null;
	uploaderEmail: string | null;
	sha256: string | null;
	expiresAt: number;
	finalizeCommandId: string | null;
	fileId: string | null;
	/** Until when a single PUT holds the upload against a second PUT (ms); null when free. */
	leaseUntil: number | null;
	/** `native` (the /uploads API) or `tus` (the tus endpoint). */
	protocol: UploadProtocol;
	/** tus: bytes held durably (recorded parts plus the remainder object). */
	tusOffset: number;
	/** tus: until when a PATCH holds the upload (ms); null when free. */
	tusLockUntil: number | null;
	/** tus: the id of the PATCH holding the upload (only its end counts); null when free. */
	tusHold: string | null;
	/** tus: the remainder object the durable offset counts; null when none. */
	tusRestKey: string | null;
	createdAt: string;
	updatedAt: string;
}

export type PartRecord = {
	partNumber: number;
	etag: string;
	size: number;
	recordedEpoch: number;
};

type UploadRow = {
	id: string;
	token_hash: string;
	name: string;
	size: number;
	type: string;
	mode: string;
	part_size: number | null;
	r2_upload_id: string | null;
	state: string;
	admitted_epoch: number;
	completed_epoch: number | null;
	finalized_epoch: number | null;
	uploader_name: string | null;
	uploader_email: string | null;
	sha256: string | null;
	expires_at: number;
	finalize_command_id: string | null;
	file_id: string | null;
	lease_until: number | null;
	protocol: string;
	tus_offset: number;
	tus_lock_until: number | null;
	tus_hold: string | null;
	tus_rest_key: string | null;
	created_at: string;
	updated_at: string;
};

function fromRow(r: UploadRow): UploadRecord {
	return {
		id: r.id,
		tokenHash: r.token_hash,
		name: r.name,
		size: r.size,
		type: r.type,
		mode: r.mode as UploadMode,
		partSize: r.part_size,
		multipartId: r.r2_upload_id,
		state: r.state as UploadState,
		admittedEpoch: r.admitted_epoch,
		completedEpoch: r.completed_epoch,
		finalizedEpoch: r.finalized_epoch,
		uploaderName: r.uploader_name,
		uploaderEmail: r.uploader_email,
		sha256: r.sha256,
		expiresAt: r.expires_at,
		finalizeCommandId: r.finalize_command_id,
		fileId: r.file_id,
		leaseUntil: r.lease_until,
		protocol: r.protocol as UploadProtocol,
		tusOffset: r.tus_offset,
		tusLockUntil: r.tus_lock_until,
		tusHold: r.tus_hold,
		tusRestKey: r.tus_rest_key,
		createdAt: r.created_at,
		updatedAt: r.updated_at,
	};
}

const COLUMNS: Record<string, string> = {
	tokenHash: "token_hash",
	multipartId: "r2_upload_id",
	state: "state",
	completedEpoch: "completed_epoch",
	finalizedEpoch: "finalized_epoch",
	finalizeCommandId: "finalize_command_id",
	fileId: "file_id",
	leaseUntil: "lease_until",
	expiresAt: "expires_at",
	tusOffset: "tus_offset",
	tusLockUntil: "tus_lock_until",
	tusHold: "tus_hold",
	tusRestKey: "tus_rest_key",
};

export class UploadStore {
	constructor(private readonly sql: Sql) {}

	get(id: string): UploadRecord | null {
		const r = this.sql.one<UploadRow>("SELECT * FROM uploads WHERE id = ?", id);
		return r ? fromRow(r) : null;
	}

	/** Uploads in `states`, oldest first. */
	inStates(states: readonly UploadState[], limit = 1_000): UploadRecord[] {
		const marks = states.map(() => "?").join(", ");
		return this.sql
			.all<UploadRow>(
				`SELECT * FROM uploads WHERE state IN (${marks}) ORDER BY created_at, id LIMIT ?`,
				...states,
				limit,
			)
			.map(fromRow);
	}

	/** Newest first, paged by (created_at, id). */
	list(limit: number, before: { createdAt: string; id: string } | null): UploadRecord[] {
		const rows = before
			? this.sql.all<UploadRow>(
					`SELECT * FROM uploads WHERE created_at < ? OR (created_at = ? AND id < ?)
					 ORDER BY created_at DESC, id DESC LIMIT ?`,
					before.createdAt,
					before.createdAt,
					before.id,
					limit,
				)
			: this.sql.all<UploadRow>(
					"SELECT * FROM uploads ORDER BY created_at DESC, id DESC LIMIT ?",
					limit,
				);
		return rows.map(fromRow);
	}

	/** Keys of finalized uploads (kept by the sweep of a revoked or expired link). */
	finalizedIds(): Set<string> {
		return new Set(
			this.sql
				.all<{ id: string }>("SELECT id FROM uploads WHERE state = 'finalized'")
				.map((r) => r.id),
		);
	}

	/**
	 * Sessions past their expiry that nobody asked to finalize (open or
	 * completed), soonest expired first.
	 */
	expiredSessions(now: number, limit: number): UploadRecord[] {
		return this.sql
			.all<UploadRow>(
				`SELECT * FROM uploads
				 WHERE state IN ('open', 'completed') AND finalize_command_id IS NULL AND expires_at <= ?
				 ORDER BY expires_at, id LIMIT ?`,
				now,
				limit,
			)
			.map(fromRow);
	}

	/** The earliest expiry among open sessions. */
	nextSessionExpiry(): number | null {
		return (
			this.sql.one<{ at: number | null }>(
				`SELECT MIN(expires_at) AS at FROM uploads
				 WHERE state IN ('open', 'completed') AND finalize_command_id IS NULL`,
			)?.at ?? null
		);
	}

	insert(u: UploadRecord): void {
		this.sql.run(
			`INSERT INTO uploads (id, token_hash, name, size, type, mode, part_size, r2_upload_id, state,
				admitted_epoch, completed_epoch, finalized_epoch, uploader_name, uploader_email, sha256,
				expires_at, protocol, created_at, updated_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?)`,
			u.id,
			u.tokenHash,
			u.name,
			u.size,
			u.type,
			u.mode,
			u.partSize,
			u.multipartId,
			u.state,
			u.admittedEpoch,
			u.uploaderName,
			u.uploaderEmail,
			u.sha256,
			u.expiresAt,
			u.protocol,
			u.createdAt,
			u.updatedAt,
		);
	}

	update(
		id: string,
		fields: Partial<
			Pick<
				UploadRecord,
				| "tokenHash"
				| "leaseUntil"
				| "multipartId"
				| "state"
				| "completedEpoch"
				| "finalizedEpoch"
				| "finalizeCommandId"
				| "fileId"
				| "expiresAt"
				| "tusOffset"
				| "tusLockUntil"
				| "tusHold"
				| "tusRestKey"
			>
		>,
	): void {
		const sets = ["updated_at = ?"];
		const params: SqlStorageValue[] = [new Date().toISOString()];
		for (const [key, value] of Object.entries(fields)) {
			const column = COLUMNS[key];
			if (!column || value === undefined) continue;
			sets.push(`${column} = ?`);
			params.push(value as SqlStorageValue);
		}
		this.sql.run(`UPDATE uploads SET ${sets.join(", ")} WHERE id = ?`, ...params, id);
	}

	parts(uploadId: string): PartRecord[] {
		return this.sql.all<PartRecord>(
			`SELECT part_number AS partNumber, etag, size, recorded_epoch AS recordedEpoch
			 FROM parts WHERE upload_id = ? ORDER BY part_number`,
			uploadId,
		);
	}

	/** Records a part; a re-sent part replaces the earlier one (R2 keeps the latest). */
	putPart(uploadId: string, part: PartRecord): void {
		this.sql.run(
			`INSERT INTO parts (upload_id, part_number, etag, size, recorded_epoch) VALUES (?, ?, ?, ?, ?)
			 ON CONFLICT (upload_id, part_number) DO UPDATE SET etag = excluded.etag, size = excluded.size,
				recorded_epoch = excluded.recorded_epoch`,
			uploadId,
			part.partNumber,
			part.etag,
			part.size,
			part.recordedEpoch,
		);
	}

	count(): number {
		return this.sql.one<{ n: number }>("SELECT COUNT(*) AS n FROM uploads")?.n ?? 0;
	}

	/** Every session's epochs and size, for the audit. */
	auditRows(): {
		id: string;
		state: string;
		size: number;
		admittedEpoch: number;
		completedEpoch: number | null;
	}[] {
		return this.sql.all(
			"SELECT id, state, size, admitted_epoch AS admittedEpoch, completed_epoch AS completedEpoch FROM uploads",
		);
	}

	/** Every recorded part of every session, for the audit. */
	allParts(): { uploadId: string; partNumber: number; recordedEpoch: number }[] {
		return this.sql.all(
			"SELECT upload_id AS uploadId, part_number AS partNumber, recorded_epoch AS recordedEpoch FROM parts",
		);
	}
}
