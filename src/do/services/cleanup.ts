/**
 * Cleanup of upload sessions: settling every session of a link that became
 * terminal, sweeping objects no finalized file owns, purging the D1 index,
 * and expiring sessions that made no progress. Every step is idempotent.
 */

import * as FilesTable from "../../d1/files";
import type { TerminalKind } from "../../domain/commands";
import { expiredSession, settle } from "../../domain/uploads";
import { R2Keys, TIMERS } from "../../storage/names";
import type { LinkRecord } from "../link-store";
import type { UploadRecord } from "../upload-store";
import type { UploadDeps } from "./upload-deps";

/** Uploads settled per batch when a link becomes terminal. */
const SETTLE_BATCH = 500;

export class Cleanup {
	constructor(private readonly deps: UploadDeps) {}

	/**
	 * Settles every session of a link that became terminal, in batches: open
	 * ones aborted, completed ones finalized or rejected per policy. Each batch
	 * is a few storage transactions and batched R2/D1 calls, so cleanup time
	 * grows linearly with the number of uploads.
	 */
	async settleUploads(link: LinkRecord, kind: TerminalKind): Promise<void> {
		for (;;) {
			const batch = this.deps.host.uploads.inStates(["open", "completed"], SETTLE_BATCH);
			if (batch.length === 0) return;
			const by = {
				abort: [] as UploadRecord[],
				finalize: [] as UploadRecord[],
				reject: [] as UploadRecord[],
			};
			for (const upload of batch) {
				const action = settle(kind, link.settings.lateFinalize, upload.state);
				if (action !== "keep") by[action].push(upload);
			}
			await this.deps.sessions.drop(by.abort, "aborted");
			await this.deps.sessions.drop(by.reject, "rejected");
			if (by.finalize.length > 0)
				await this.deps.finalizer.finalize(this.deps.row.link() ?? link, by.finalize);
			// Give the event loop a turn between batches: a long cleanup must not starve other I/O.
			await new Promise((resolve) => setTimeout(resolve, 0));
		}
	}

	/** Deletes objects under the link's prefix that no finalized file owns (all of them once deleted). */
	async sweepObjects(link: LinkRecord): Promise<void> {
		const { store } = this.deps.host;
		const keep =
			link.state === "deleted" ? new Set<string>() : this.deps.host.uploads.finalizedIds();
		for await (const keys of store.list(R2Keys.linkPrefix(link.id))) {
			const orphans = keys.filter((k) => !keep.has(R2Keys.uploadIdOf(k)));
			if (orphans.length > 0) await store.delete(orphans);
		}
	}

	/** Deletes every object under the link's prefix. */
	async purgeObjects(link: LinkRecord): Promise<void> {
		await this.deps.host.store.purge(R2Keys.linkPrefix(link.id));
	}

	/** Removes the link's finalized files from the D1 index. */
	async purgeIndex(link: LinkRecord): Promise<void> {
		await FilesTable.deleteForLink(this.deps.host.env.DB, link.id);
	}

	/**
	 * The sessions alarm: ends sessions past their expiry that nobody asked to
	 * finalize (`expiredSession`): a completed one is handed over by a system
	 * finalize command under `recover`, dropped under `reject`; an open one is
	 * aborted.
	 */
	async expireSessions(): Promise<void> {
		const { host } = this.deps;
		const now = host.now();
		const seen = new Set<string>();
		let issued = false;
		// Every session handled leaves the expired set (ended, or given a finalize command).
		for (let batch = host.uploads.expiredSessions(now, SETTLE_BATCH); batch.length > 0; ) {
			for (const { id } of batch) {
				seen.add(id);
				issued = (await this.expireSession(id, now)) || issued;
			}
			batch = host.uploads.expiredSessions(now, SETTLE_BATCH).filter((u) => !seen.has(u.id));
		}
		if (issued) await this.deps.outbox.afterAccept(false);
		const next = host.uploads.nextSessionExpiry();
		if (next !== null) await host.timers.schedule(TIMERS.sessions, next);
	}

	/**
	 * Ends one expired session; true when that took a finalize command. The
	 * session is read afresh: an earlier one's R2 cleanup awaited, and its
	 * uploader may have made progress, completed or asked to finalize meanwhile.
	 */
	private async expireSession(uploadId: string, now: number): Promise<boolean> {
		const upload = this.deps.host.uploads.get(uploadId);
		const link = this.deps.row.link();
		if (!upload || !link || upload.expiresAt > now || upload.finalizeCommandId) return false;
		if (upload.state !== "open" && upload.state !== "completed") return false;
		const action = expiredSession(upload.state, link.settings.lateFinalize);
		if (action === "finalize") {
			this.deps.host.transaction(() => {
				const c = this.deps.outbox.newCommand(link, "finalize", "system", {
					uploadId: upload.id,
				});
				this.deps.host.uploads.update(upload.id, { finalizeCommandId: c.id });
			});
			return true;
		}
		await this.deps.sessions.dropOne(upload, action === "reject" ? "rejected" : "aborted");
		const hook = this.deps.host.hooks().at?.("expired-session");
		if (hook) await hook;
		return false;
	}
}
