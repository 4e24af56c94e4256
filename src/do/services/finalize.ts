/**
 * Finalizing uploads: the hand-over of completed objects to the owner. Each
 * object is checked against its declaration in R2, indexed in D1, then
 * committed as finalized with its reservation turned into counted files and
 * bytes. While that runs (across awaits on R2 and D1) the uploads are marked
 * `finalizing`, so an abort cannot pull them from under it.
 */

import * as FilesTable from "../../d1/files";
import type { Problem } from "../../domain/problems";
import { finalizeOutcome } from "../../domain/uploads";
import { mapLimit } from "../../lib/limit";
import { R2Keys } from "../../storage/names";
import { STORE_PARALLEL } from "../../storage/object-store";
import type { CommandRecord } from "../command-log";
import type { LinkHost } from "../host";
import { type LinkRecord, saveLink } from "../link-store";
import type { UploadRecord } from "../upload-store";
import type { LinkRow } from "./link-row";
import type { Sessions } from "./sessions";

/** A finalized file's id, derived from its upload's. */
const fileIdOf = (uploadId: string): string => `fil_${uploadId.slice(4)}`;

export class Finalizer {
	/**
	 * Uploads a finalize is verifying or indexing right now. In memory on
	 * purpose: it is exactly the finalizes running in this instance; an
	 * eviction ends them too, and the command's retry starts over.
	 */
	private readonly running = new Set<string>();

	constructor(
		private readonly host: LinkHost,
		private readonly row: LinkRow,
		private readonly sessions: Sessions,
	) {}

	/** Whether a finalize is verifying or indexing `uploadId` right now. */
	isFinalizing(uploadId: string): boolean {
		return this.running.has(uploadId);
	}

	/** Applies a finalize command: its result code, and whether it succeeded. */
	async apply(command: CommandRecord): Promise<{ succeeded: boolean; result: string }> {
		const uploadId = String(command.payload.uploadId ?? "");
		const upload = this.host.uploads.get(uploadId);
		const link = this.row.link();
		if (!upload || !link) return { succeeded: false, result: "upload-not-found" };
		const outcome = finalizeOutcome({ ...link, lateFinalize: link.settings.lateFinalize }, upload);
		if (outcome.kind === "done") return { succeeded: true, result: "finalized" };
		if (outcome.kind === "reject") {
			if (upload.state === "completed")
				await this.sessions.drop([upload], "rejected", new Map([[upload.id, outcome.code]]));
			return { succeeded: false, result: outcome.code };
		}
		const code = (await this.finalize(link, [upload])).get(upload.id);
		return code ? { succeeded: false, result: code } : { succeeded: true, result: "finalized" };
	}

	/**
	 * Verifies committed objects against their declarations (a few at a time),
	 * refuses those that do not match, indexes the rest in D1 (one batch,
	 * idempotent), then commits them as finalized in one transaction. Returns
	 * the refusal code of each refused upload.
	 */
	async finalize(link: LinkRecord, uploads: UploadRecord[]): Promise<Map<string, Problem["code"]>> {
		for (const u of uploads) this.running.add(u.id);
		try {
			return await this.verifyAndCommit(link, uploads);
		} finally {
			for (const u of uploads) this.running.delete(u.id);
		}
	}

	private async verifyAndCommit(
		link: LinkRecord,
		uploads: UploadRecord[],
	): Promise<Map<string, Problem["code"]>> {
		const { env, store, hooks } = this.host;
		const refused = new Map<string, Problem["code"]>();
		const checks = await mapLimit(uploads, STORE_PARALLEL, (u) =>
			store.check(R2Keys.upload(link.id, u.id), u.size, u.sha256),
		);
		const checked = hooks().at?.("finalize-check");
		if (checked) await checked;
		const good: UploadRecord[] = [];
		uploads.forEach((u, i) => {
			const check = checks[i];
			if (check === "ok") good.push(u);
			// Retrying cannot bring back a missing or different object: refuse the file.
			else refused.set(u.id, check === "missing" ? "file-not-found" : (check ?? "file-not-found"));
		});
		await this.sessions.drop(
			uploads.filter((u) => refused.has(u.id)),
			"rejected",
			refused,
		);
		if (good.length === 0) return refused;
		const epoch = (this.row.link() ?? link).epoch;
		const createdAt = new Date(this.host.now()).toISOString();
		await FilesTable.insertMany(
			env.DB,
			good.map((u) => ({
				id: fileIdOf(u.id),
				linkId: link.id,
				ownerId: link.ownerId,
				uploadId: u.id,
				name: u.name,
				size: u.size,
				type: u.type,
				sha256: u.sha256,
				uploaderName: u.uploaderName,
				uploaderEmail: u.uploaderEmail,
				r2Key: R2Keys.upload(link.id, u.id),
				finalizedEpoch: epoch,
				createdAt,
			})),
		);
		const indexed = hooks().at?.("finalize-index");
		if (indexed) await indexed;
		this.commit(good);
		await this.host.events.afterCommit();
		return refused;
	}

	/** Marks the still-completed uploads finalized and counts them, in one transaction. */
	private commit(good: UploadRecord[]): void {
		const store = this.host.uploads;
		this.host.transaction(() => {
			const fresh = this.row.link();
			if (!fresh) return;
			const done = good.filter((u) => store.get(u.id)?.state === "completed");
			for (const u of done) {
				store.update(u.id, {
					state: "finalized",
					finalizedEpoch: fresh.epoch,
					fileId: fileIdOf(u.id),
				});
				this.host.events.record(fresh, "upload.finalized", {
					fileId: fileIdOf(u.id),
					uploadId: u.id,
					name: u.name,
					size: u.size,
					type: u.type,
					sha256: u.sha256,
					uploaderName: u.uploaderName,
					uploaderEmail: u.uploaderEmail,
					downloadPath: `/api/files/${fileIdOf(u.id)}/content`,
				});
			}
			const bytes = done.reduce((n, u) => n + u.size, 0);
			saveLink(
				this.host.sql,
				{
					...fresh,
					reservedFiles: Math.max(0, fresh.reservedFiles - done.length),
					reservedBytes: Math.max(0, fresh.reservedBytes - bytes),
					filesCount: fresh.filesCount + done.length,
					bytesTotal: fresh.bytesTotal + bytes,
				},
				new Date(this.host.now()).toISOString(),
			);
		});
	}
}
