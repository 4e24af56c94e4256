/**
 * Upload sessions as the link's ledger holds them: their view, and ending the
 * ones that will never become files (aborted or rejected): the state change
 * and the quota release commit first, then their bytes go.
 */
import type { Operation } from "../../domain/lifecycle";
import { fail, ok, problem, type Result } from "../../domain/problems";
import { durableOffset, idleTimeoutMs, partCountOf } from "../../domain/uploads";
import { timingSafeEqual } from "../../lib/crypto";
import { forEachLimit } from "../../lib/limit";
import { R2Keys } from "../../storage/names";
import { STORE_PARALLEL } from "../../storage/object-store";
import type { LinkHost } from "../host";
import { type LinkRecord, saveLink } from "../link-store";
import type { UploadAuth, UploadView, WriteOp } from "../rpc";
import type { UploadRecord } from "../upload-store";
import type { LinkRow } from "./link-row";

export class Sessions {
	constructor(
		private readonly host: LinkHost,
		private readonly row: LinkRow,
	) {}

	/**
	 * An uploader's access to one session: the link secret and the upload token
	 * (either wrong: 404, compared timing-safe), then the terminal-state table.
	 */
	authorize(auth: UploadAuth, op: Operation): Result<{ link: LinkRecord; upload: UploadRecord }> {
		const link = this.row.link();
		if (!link || !timingSafeEqual(link.tokenHash, auth.linkSecretHash))
			return fail(problem("link-not-found"));
		const upload = this.host.uploads.get(auth.uploadId);
		if (!upload || !timingSafeEqual(upload.tokenHash, auth.tokenHash))
			return fail(problem("upload-not-found"));
		const refused = this.row.refuse(link, op);
		return refused ? fail(refused) : ok({ link, upload });
	}

	/** How long a session may go without progress (`UPLOAD_IDLE_TIMEOUT_SECONDS`). */
	idleTimeoutMs(): number {
		return idleTimeoutMs(this.host.env.UPLOAD_IDLE_TIMEOUT_SECONDS);
	}

	/** The R2 key of an upload of this link. */
	keyOf(uploadId: string): string {
		const link = this.row.link();
		if (!link) throw new Error("link row missing");
		return R2Keys.upload(link.id, uploadId);
	}

	view(u: UploadRecord): UploadView {
		const command = u.finalizeCommandId ? this.host.commandLog.get(u.finalizeCommandId) : null;
		const parts = u.mode === "multipart" ? this.host.uploads.parts(u.id) : [];
		return {
			id: u.id,
			name: u.name,
			size: u.size,
			type: u.type,
			mode: u.mode,
			protocol: u.protocol,
			partSize: u.partSize,
			partCount: partCountOf(u),
			offset: durableOffset(u, parts),
			state: u.state,
			admittedEpoch: u.admittedEpoch,
			completedEpoch: u.completedEpoch,
			finalizedEpoch: u.finalizedEpoch,
			parts: parts.map((p) => ({
				partNumber: p.partNumber,
				size: p.size,
				etag: p.etag,
			})),
			finalize: command
				? { commandId: command.id, status: command.status, result: command.result }
				: null,
			fileId: u.fileId,
			sha256: u.sha256,
			uploaderName: u.uploaderName,
			uploaderEmail: u.uploaderEmail,
			expiresAt: new Date(u.expiresAt).toISOString(),
			createdAt: u.createdAt,
			updatedAt: u.updatedAt,
		};
	}

	/** Ends one session that will never become a file (see `drop`). */
	async dropOne(upload: UploadRecord, state: "aborted" | "rejected"): Promise<void> {
		await this.drop([upload], state);
	}

	/**
	 * Ends sessions that will never become files: marks them and releases their
	 * quota reservations in one transaction (committed first), then removes
	 * their bytes: open multipart uploads aborted a few at a time, objects
	 * deleted 1,000 keys per call. Idempotent.
	 */
	async drop(
		uploads: UploadRecord[],
		state: "aborted" | "rejected",
		reasons: ReadonlyMap<string, string> = new Map(),
	): Promise<void> {
		const link = this.row.link();
		if (!link || uploads.length === 0) return;
		const store = this.host.uploads;
		this.host.transaction(() => {
			const current = uploads
				.map((u) => store.get(u.id) ?? u)
				.filter((u) => u.state === "open" || u.state === "completed");
			if (current.length === 0) return;
			for (const u of current) store.update(u.id, { state });
			const fresh = this.row.link() ?? link;
			if (state === "rejected")
				for (const u of current)
					this.host.events.record(fresh, "upload.rejected", {
						uploadId: u.id,
						name: u.name,
						size: u.size,
						type: u.type,
						uploaderName: u.uploaderName,
						uploaderEmail: u.uploaderEmail,
						reason: reasons.get(u.id) ?? "late-finalize-rejected",
					});
			saveLink(
				this.host.sql,
				{
					...fresh,
					reservedFiles: Math.max(0, fresh.reservedFiles - current.length),
					reservedBytes: Math.max(0, fresh.reservedBytes - current.reduce((n, u) => n + u.size, 0)),
				},
				new Date(this.host.now()).toISOString(),
			);
		});
		await this.host.events.afterCommit();
		// Bytes go only for sessions that ended (never a finalized file's).
		const ended = uploads.filter((u) => {
			const now = store.get(u.id)?.state;
			return now === "aborted" || now === "rejected";
		});
		const objects = this.host.store;
		await forEachLimit(
			ended.filter((u) => u.multipartId),
			STORE_PARALLEL,
			(u) => objects.abortMultipart(R2Keys.upload(link.id, u.id), u.multipartId ?? ""),
		);
		await objects.delete(
			ended.flatMap((u) => {
				const rest = store.get(u.id)?.tusRestKey ?? u.tusRestKey;
				return rest ? [R2Keys.upload(link.id, u.id), rest] : [R2Keys.upload(link.id, u.id)];
			}),
		);
	}

	/** Removes what a refused write left: the object, or (for a part) the whole multipart upload. */
	async compensate(upload: UploadRecord, op: WriteOp): Promise<void> {
		// A completed or finalized upload's object is accepted data: a stray write never removes it.
		if (upload.state === "completed" || upload.state === "finalized") return;
		const key = this.keyOf(upload.id);
		if (op === "part-put") {
			if (upload.multipartId) await this.host.store.abortMultipart(key, upload.multipartId);
		} else {
			await this.host.store.delete([key]);
		}
		if (upload.state === "open") await this.dropOne(upload, "aborted");
	}
}
