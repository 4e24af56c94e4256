/**
 * Uploads of LinkDO: every R2 write is admitted here before it happens and
 * recorded here after it. A terminal transition applied in between makes the
 * record refuse the write (410) and remove its bytes. This layer also settles
 * upload sessions when the link becomes terminal, finalizes uploads, and
 * expires abandoned sessions.
 */
import * as FilesTable from "../d1/files";
import type { Caller } from "../domain/actor";
import { mayActOn } from "../domain/actor";
import type { TerminalKind } from "../domain/commands";
import { decide, type Operation, refusal } from "../domain/lifecycle";
import { afterFailure, NO_ATTEMPTS, passwordWaitSeconds } from "../domain/password";
import { fail, ok, type Problem, problem, type Result } from "../domain/problems";
import {
	checkFile,
	checkQuota,
	checkRecord,
	decideAbort,
	decideWrite,
	finalizeOutcome,
	idleTimeoutMs,
	planUpload,
	SINGLE_WRITE_LEASE_MS,
	sessionExpiry,
	settle,
} from "../domain/uploads";
import { passwordParams, proofMatches, timingSafeEqual } from "../lib/crypto";
import { forEachLimit, mapLimit } from "../lib/limit";
import { R2Keys, TIMERS } from "../storage/names";
import * as r2 from "../storage/r2";
import { type CommandRecord, commandView } from "./command-log";
import type { FinalizeSeam } from "./link-base";
import { LinkCommands } from "./link-commands";
import { type LinkRecord, saveLink } from "./link-store";
import { loadAttempts, saveAttempts } from "./password-attempts";
import type { UploadRecord } from "./upload-store";
import type { CommandView, UploadView, WriteGrant } from "./views";

/** Proof an uploader holds the link token and the upload token (their secrets' hashes). */
export interface UploadAuth {
	linkSecretHash: string;
	uploadId: string;
	tokenHash: string;
}

export interface InitRequest {
	linkSecretHash: string;
	uploadId: string;
	tokenHash: string;
	name: string;
	size: number;
	type: string;
	uploaderName: string | null;
	uploaderEmail: string | null;
	sha256: string | null;
	/** Whether the uploader sent a password at all. */
	passwordGiven: boolean;
	/**
	 * The password's hash under the link's params, derived at the edge after a
	 * `password` challenge (PBKDF2 never runs in the Durable Object).
	 */
	passwordProof: { params: string; hash: string } | null;
	idempotency?: { key: string; requestHash: string };
}

/** An init either needs the password's hash derived under `params` first, or it is done. */
export type InitOutcome =
	| { kind: "password"; params: string }
	| { kind: "created"; upload: UploadView; replayed: boolean; needsMultipart: boolean };

export type WriteOp = "single-put" | "part-put" | "complete";

/** What happened to the R2 write between admit and record. */
export type WriteOutcome =
	| { ok: true; etag: string; size: number }
	| { ok: false; reason: "length" | "checksum" | "storage" | "gone" };

/** Idempotency scope of anonymous upload inits on a link. */
const INIT_SCOPE = "uploader:init";

export abstract class LinkUploads extends LinkCommands {
	/**
	 * Uploads a finalize is verifying or indexing right now (between its R2
	 * check and its commit, across awaits on R2 and D1). In memory on purpose:
	 * it is exactly the finalizes running in this instance; an eviction ends
	 * them too, and the command's retry starts over.
	 */
	private readonly finalizing = new Set<string>();

	/**
	 * Admits an upload: link token, phase, password, required fields, file
	 * rules and quota, then reserves the quota in the same transaction that
	 * creates the session. Multipart uploads then get their R2 upload created
	 * at the edge and recorded by `recordInit`.
	 */
	async initUpload(req: InitRequest): Promise<Result<InitOutcome>> {
		const current = this.link();
		if (!current || !timingSafeEqual(current.tokenHash, req.linkSecretHash))
			return fail(problem("link-not-found"));
		const refused = this.refuse(current, "init");
		if (refused) return fail(refused);
		const password = this.checkPassword(current, req);
		if (password) return password;
		// Replays are checked after the lifecycle and the password, so a replayed key never
		// bypasses them. Init keys should be unguessable: anyone holding the link URL, the key
		// and the same body gets the session (with a fresh token).
		if (req.idempotency) {
			const seen = this.log.idempotent(INIT_SCOPE, req.idempotency.key);
			if (seen) {
				if (seen.requestHash !== req.idempotency.requestHash)
					return fail(problem("idempotency-key-reused"));
				const original = this.uploads.get(seen.id);
				if (original) {
					// The client lost the first answer, token included: the replay carries a fresh token.
					this.uploads.update(original.id, { tokenHash: req.tokenHash });
					return ok({
						kind: "created",
						upload: this.uploadView(original),
						replayed: true,
						needsMultipart:
							original.mode === "multipart" && original.state === "open" && !original.r2UploadId,
					});
				}
			}
		}
		const s = current.settings;
		if (
			(s.requireUploaderName && !req.uploaderName) ||
			(s.requireUploaderEmail && !req.uploaderEmail)
		) {
			const needed = [
				s.requireUploaderName && "uploaderName",
				s.requireUploaderEmail && "uploaderEmail",
			].filter(Boolean);
			return fail(
				problem("uploader-details-required", `This link requires: ${needed.join(", ")}.`),
			);
		}
		const bad = checkFile(s, req) ?? checkQuota(s, current, req.size);
		if (bad) return fail(bad);
		const plan = planUpload(req.size);
		const now = new Date();
		const upload: UploadRecord = {
			id: req.uploadId,
			tokenHash: req.tokenHash,
			name: req.name,
			size: req.size,
			type: req.type,
			mode: plan.mode,
			partSize: plan.partSize,
			r2UploadId: null,
			state: "open",
			admittedEpoch: current.epoch,
			completedEpoch: null,
			finalizedEpoch: null,
			uploaderName: req.uploaderName,
			uploaderEmail: req.uploaderEmail,
			sha256: req.sha256,
			expiresAt: sessionExpiry(now.getTime(), now.getTime(), this.idleTimeoutMs()),
			finalizeCommandId: null,
			fileId: null,
			leaseUntil: null,
			createdAt: now.toISOString(),
			updatedAt: now.toISOString(),
		};
		this.ctx.storage.transactionSync(() => {
			this.uploads.insert(upload);
			saveLink(
				this.sql,
				{
					...current,
					reservedFiles: current.reservedFiles + 1,
					reservedBytes: current.reservedBytes + req.size,
				},
				upload.createdAt,
			);
			if (req.idempotency)
				this.log.remember(INIT_SCOPE, req.idempotency.key, req.idempotency.requestHash, upload.id);
		});
		await this.timers.schedule(TIMERS.sessions, upload.expiresAt);
		await this.raceSeam("admit");
		return ok({
			kind: "created",
			upload: this.uploadView(upload),
			replayed: false,
			needsMultipart: plan.mode === "multipart",
		});
	}

	/** Records the R2 multipart upload created for an admitted init (the record check). */
	async recordInit(uploadId: string, r2UploadId: string): Promise<Result<UploadView>> {
		await this.raceSeam("record");
		const link = this.link();
		const upload = this.uploads.get(uploadId);
		if (!link || !upload) return fail(problem("upload-not-found"));
		if (upload.r2UploadId !== null) {
			// Exactly one multipart upload per session: inits racing with one Idempotency-Key can
			// each create one (a replay answers needsMultipart while the first create is in
			// flight). The first recorded stays; a different one is aborted, and the session is
			// answered as it is. Nothing is dropped here: the session's own upload is not ours to
			// end (a repeated record of the same id is not a refused write).
			if (upload.r2UploadId !== r2UploadId)
				await r2.abortMultipart(this.env.FILES, R2Keys.upload(link.id, uploadId), r2UploadId);
			const now = this.link() ?? link;
			const current = this.uploads.get(uploadId) ?? upload;
			const gone = checkRecord(now.state, current);
			if (gone && gone.code !== "upload-state-conflict") return fail(this.withEpoch(gone));
			return ok(this.uploadView(current));
		}
		const refused = checkRecord(link.state, upload);
		if (refused) {
			await r2.abortMultipart(this.env.FILES, R2Keys.upload(link.id, uploadId), r2UploadId);
			await this.dropUpload(upload, "aborted");
			return fail(this.withEpoch(refused));
		}
		this.uploads.update(uploadId, { r2UploadId });
		return ok(this.uploadView({ ...upload, r2UploadId }));
	}

	/**
	 * The admit check before an R2 write: tokens, the terminal-state table,
	 * the upload's mode and state, and the exact length the body must have.
	 */
	async admitWrite(
		req: UploadAuth & { op: WriteOp; partNumber?: number },
	): Promise<Result<WriteGrant>> {
		const granted = this.admit(req);
		if (granted.ok) await this.raceSeam("admit");
		return granted;
	}

	private admit(req: UploadAuth & { op: WriteOp; partNumber?: number }): Result<WriteGrant> {
		const found = this.uploader(req, req.op);
		if (!found.ok) return found;
		const { link, upload } = found.value;
		const key = R2Keys.upload(link.id, upload.id);
		const grant: WriteGrant = {
			key,
			r2UploadId: upload.r2UploadId,
			expectedLength: upload.size,
			sha256: upload.sha256,
			parts: [],
			alreadyCompleted: false,
			epoch: link.epoch,
		};
		const parts =
			req.op === "complete" && upload.state === "open" ? this.uploads.parts(upload.id) : [];
		const decision = decideWrite(
			req.op,
			upload,
			req.partNumber,
			parts.map((p) => p.partNumber),
			Date.now(),
		);
		switch (decision.kind) {
			case "refuse":
				return fail(decision.problem);
			case "already-completed":
				return ok({ ...grant, alreadyCompleted: true });
			case "complete":
				return ok({
					...grant,
					parts: parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
				});
			default:
				if (decision.lease) {
					this.uploads.update(upload.id, { leaseUntil: Date.now() + SINGLE_WRITE_LEASE_MS });
				}
				return ok({ ...grant, expectedLength: decision.expectedLength });
		}
	}

	/**
	 * The record check after an R2 write. If a terminal transition was applied
	 * since the write was admitted, the write is refused with the terminal
	 * row's 410 and its bytes are removed; it is never recorded.
	 */
	async recordWrite(req: {
		uploadId: string;
		op: WriteOp;
		partNumber?: number;
		outcome: WriteOutcome;
	}): Promise<Result<UploadView>> {
		await this.raceSeam("record");
		const link = this.link();
		const found = this.uploads.get(req.uploadId);
		if (!link || !found) return fail(problem("upload-not-found"));
		if (req.op === "single-put" && found.leaseUntil !== null)
			this.uploads.update(found.id, { leaseUntil: null });
		const upload = { ...found, leaseUntil: null };
		const key = R2Keys.upload(link.id, upload.id);
		const completedAlready = req.op === "complete" && upload.state === "completed";
		if (completedAlready) return ok(this.uploadView(upload));
		const refused = checkRecord(link.state, upload);
		if (refused) {
			if (req.outcome.ok) await this.compensate(upload, req.op, key);
			return fail(this.withEpoch(refused));
		}
		if (!req.outcome.ok) return fail(this.problemOfFailedWrite(req.outcome.reason));
		// Progress: the session's idle window starts again (within its 24 h cap).
		const expiresAt = sessionExpiry(
			Date.parse(upload.createdAt),
			Date.now(),
			this.idleTimeoutMs(),
			upload.expiresAt,
		);
		if (req.op === "part-put") {
			const { etag, size } = req.outcome;
			this.ctx.storage.transactionSync(() => {
				this.uploads.putPart(upload.id, {
					partNumber: req.partNumber ?? 0,
					etag,
					size,
					recordedEpoch: link.epoch,
				});
				this.uploads.update(upload.id, { expiresAt });
			});
			return ok(this.uploadView({ ...upload, expiresAt }));
		}
		this.uploads.update(upload.id, { state: "completed", completedEpoch: link.epoch, expiresAt });
		return ok(
			this.uploadView({ ...upload, state: "completed", completedEpoch: link.epoch, expiresAt }),
		);
	}

	/** Abort by the uploader: releases the quota and removes the bytes. Idempotent. */
	async abortUpload(auth: UploadAuth): Promise<Result<null>> {
		const found = this.uploader(auth, "abort");
		if (!found.ok) return found;
		return this.abortSession(found.value.upload);
	}

	/** Ends a session unless it already ended, is finalized, or is being finalized (`decideAbort`). */
	private async abortSession(upload: UploadRecord): Promise<Result<null>> {
		const decision = decideAbort(upload.state, this.finalizing.has(upload.id));
		if (decision.kind === "refuse") return fail(this.withEpoch(decision.problem));
		if (decision.kind === "drop") await this.dropUpload(upload, "aborted");
		return ok(null);
	}

	/**
	 * Abort by the link's owner (or an admin): ends any session of the link,
	 * as the uploader's abort does (quota released, bytes removed). Another
	 * owner's link is 404 `link-not-found`, an unknown upload 404
	 * `upload-not-found`; the terminal-state table's `abort` row applies.
	 */
	async ownerAbortUpload(caller: Caller, uploadId: string): Promise<Result<null>> {
		const found = this.authorize(caller, "abort");
		if (!found.ok) return found;
		const upload = this.uploads.get(uploadId);
		if (!upload) return fail(problem("upload-not-found"));
		return this.abortSession(upload);
	}

	/** The uploader's view of its upload, with the parts the server holds (for resuming). */
	async uploadStatus(auth: UploadAuth): Promise<Result<UploadView>> {
		const found = this.uploader(auth, "upload-status");
		return found.ok ? ok(this.uploadView(found.value.upload)) : found;
	}

	/**
	 * Finalize is a command, decided in seq order with terminal commands. One
	 * finalize command per upload: asking again returns it.
	 */
	async requestFinalize(
		auth: UploadAuth,
	): Promise<Result<{ command: CommandView; created: boolean }>> {
		const found = this.uploader(auth, "finalize");
		if (!found.ok) return found;
		const { link, upload } = found.value;
		if (upload.finalizeCommandId) {
			const existing = this.log.get(upload.finalizeCommandId);
			if (existing) return ok({ command: commandView(link.id, existing), created: false });
		}
		const outcome = finalizeOutcome({ ...link, lateFinalize: link.settings.lateFinalize }, upload);
		if (outcome.kind === "reject") return fail(refusal(outcome.code, link.epoch));
		const command = this.ctx.storage.transactionSync(() => {
			const c = this.newCommand(link, "finalize", `upload:${upload.id}`, { uploadId: upload.id });
			this.uploads.update(upload.id, { finalizeCommandId: c.id });
			return c;
		});
		await this.afterAccept(false);
		return ok({
			command: commandView(link.id, this.log.get(command.id) ?? command),
			created: true,
		});
	}

	/** Upload sessions for the owner, newest first. */
	async listUploads(
		caller: Caller,
		limit: number,
		before: { createdAt: string; id: string } | null,
	): Promise<
		Result<{ items: UploadView[]; nextCursor: { createdAt: string; id: string } | null }>
	> {
		const link = this.link();
		if (!link || !mayActOn(caller, link.ownerId)) return fail(problem("link-not-found"));
		const refused = this.refuse(link, "owner-read");
		if (refused) return fail(refused);
		const rows = this.uploads.list(limit + 1, before);
		const items = rows.slice(0, limit).map((u) => this.uploadView(u));
		const last = items[items.length - 1];
		return ok({
			items,
			nextCursor: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null,
		});
	}

	// --- hooks for the command layer ----------------------------------------

	protected async applyFinalize(
		command: CommandRecord,
	): Promise<{ succeeded: boolean; result: string }> {
		const uploadId = String(command.payload.uploadId ?? "");
		const upload = this.uploads.get(uploadId);
		const link = this.link();
		if (!upload || !link) return { succeeded: false, result: "upload-not-found" };
		const outcome = finalizeOutcome({ ...link, lateFinalize: link.settings.lateFinalize }, upload);
		if (outcome.kind === "done") return { succeeded: true, result: "finalized" };
		if (outcome.kind === "reject") {
			if (upload.state === "completed") await this.dropUpload(upload, "rejected");
			return { succeeded: false, result: outcome.code };
		}
		const code = await this.finalizeUpload(link, upload);
		return code ? { succeeded: false, result: code } : { succeeded: true, result: "finalized" };
	}

	/**
	 * Settles every session of a link that became terminal, in batches: open
	 * ones aborted, completed ones finalized or rejected per policy. Each batch
	 * is a few storage transactions and batched R2/D1 calls, so cleanup time
	 * grows linearly with the number of uploads.
	 */
	protected async settleUploads(link: LinkRecord, kind: TerminalKind): Promise<void> {
		for (;;) {
			const batch = this.uploads.inStates(["open", "completed"], SETTLE_BATCH);
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
			await this.dropUploads(by.abort, "aborted");
			await this.dropUploads(by.reject, "rejected");
			if (by.finalize.length > 0) await this.finalizeUploads(this.link() ?? link, by.finalize);
			// Give the event loop a turn between batches: a long cleanup must not starve other I/O.
			await new Promise((resolve) => setTimeout(resolve, 0));
		}
	}

	protected async sweepObjects(link: LinkRecord): Promise<void> {
		const keep = link.state === "deleted" ? new Set<string>() : this.uploads.finalizedIds();
		for await (const keys of r2.listKeys(this.env.FILES, R2Keys.linkPrefix(link.id))) {
			const orphans = keys.filter((k) => !keep.has(R2Keys.uploadIdOf(k)));
			if (orphans.length > 0) await r2.deleteKeys(this.env.FILES, orphans);
		}
	}

	protected async purgeIndex(link: LinkRecord): Promise<void> {
		await FilesTable.deleteForLink(this.env.DB, link.id);
	}

	/**
	 * The sessions alarm: aborts upload sessions abandoned past their expiry.
	 * A completed upload whose uploader never asked to finalize it is handed
	 * over anyway under `recover` (a system finalize command), and dropped
	 * under `reject`, so no completed upload holds its quota forever.
	 */
	protected async expireSessions(): Promise<void> {
		const now = Date.now();
		let issued = false;
		for (const upload of this.uploads.inStates(["open", "completed"])) {
			if (upload.expiresAt > now || upload.finalizeCommandId) continue;
			const link = this.link();
			if (upload.state === "completed" && link?.settings.lateFinalize === "recover") {
				this.ctx.storage.transactionSync(() => {
					const c = this.newCommand(link, "finalize", "system", { uploadId: upload.id });
					this.uploads.update(upload.id, { finalizeCommandId: c.id });
				});
				issued = true;
			} else {
				await this.dropUpload(upload, upload.state === "completed" ? "rejected" : "aborted");
			}
		}
		if (issued) await this.afterAccept(false);
		const next = this.uploads.nextSessionExpiry();
		if (next !== null) await this.timers.schedule(TIMERS.sessions, next);
	}

	// --- internals ------------------------------------------------------------

	/** Link token, upload token (either wrong: 404), then the terminal-state table. */
	private uploader(
		auth: UploadAuth,
		op: Operation,
	): Result<{ link: LinkRecord; upload: UploadRecord }> {
		const link = this.link();
		if (!link || !timingSafeEqual(link.tokenHash, auth.linkSecretHash))
			return fail(problem("link-not-found"));
		const upload = this.uploads.get(auth.uploadId);
		if (!upload || !timingSafeEqual(upload.tokenHash, auth.tokenHash))
			return fail(problem("upload-not-found"));
		const refused = this.refuse(link, op);
		if (refused) return fail(refused);
		return ok({ link, upload });
	}

	/**
	 * The password gate of an init: null when the link has no password or the
	 * proof matches; otherwise the refusal, or a challenge naming the params
	 * the edge must derive the password's hash under. A wrong proof counts
	 * against the link's guess limit; while the link waits, attempts are
	 * refused unchecked.
	 */
	private checkPassword(link: LinkRecord, req: InitRequest): Result<InitOutcome> | null {
		if (!link.passwordHash) return null;
		if (!req.passwordGiven) return fail(problem("password-required"));
		const now = Date.now();
		const attempts = loadAttempts(this.sql);
		const wait = passwordWaitSeconds(attempts, now);
		if (wait > 0) return fail(tooManyAttempts(wait));
		const params = passwordParams(link.passwordHash);
		// No proof yet, or one derived under params that changed since: (re)issue the challenge.
		if (req.passwordProof?.params !== params) return ok({ kind: "password", params });
		if (proofMatches(link.passwordHash, req.passwordProof.hash)) {
			if (attempts.failures > 0) saveAttempts(this.sql, NO_ATTEMPTS);
			return null;
		}
		const next = afterFailure(attempts, now);
		saveAttempts(this.sql, next);
		const nextWait = passwordWaitSeconds(next, now);
		return fail(
			problem(
				"password-incorrect",
				undefined,
				nextWait > 0 ? { retryable: true, retryAfter: nextWait } : {},
			),
		);
	}

	private refuse(link: LinkRecord, op: Operation): Problem | undefined {
		const outcome = decide(op, this.phase(link));
		return outcome.kind === "refuse" ? refusal(outcome.code, link.epoch) : undefined;
	}

	private withEpoch(p: Problem): Problem {
		return { ...p, epoch: this.link()?.epoch ?? p.epoch };
	}

	private problemOfFailedWrite(reason: "length" | "checksum" | "storage" | "gone"): Problem {
		switch (reason) {
			case "length":
				return problem(
					"length-mismatch",
					"The body was shorter or longer than expected; nothing was recorded.",
				);
			case "checksum":
				return problem("checksum-mismatch");
			case "gone":
				return problem("upload-aborted");
			default:
				return problem("storage-unavailable", undefined, { retryable: true, retryAfter: 1 });
		}
	}

	/** Removes what a refused write left: the object, or (for a part) the whole multipart upload. */
	private async compensate(upload: UploadRecord, op: WriteOp, key: string): Promise<void> {
		// A completed or finalized upload's object is accepted data: a stray write never removes it.
		if (upload.state === "completed" || upload.state === "finalized") return;
		if (op === "part-put") {
			if (upload.r2UploadId) await r2.abortMultipart(this.env.FILES, key, upload.r2UploadId);
		} else {
			await r2.deleteKeys(this.env.FILES, [key]);
		}
		if (upload.state === "open") await this.dropUpload(upload, "aborted");
	}

	/** Ends one session that will never become a file (see `dropUploads`). */
	private async dropUpload(upload: UploadRecord, state: "aborted" | "rejected"): Promise<void> {
		await this.dropUploads([upload], state);
	}

	/**
	 * Ends sessions that will never become files: marks them and releases their
	 * quota reservations in one transaction (committed first), then removes
	 * their bytes: open multipart uploads aborted a few at a time, objects
	 * deleted 1,000 keys per call. Idempotent.
	 */
	private async dropUploads(uploads: UploadRecord[], state: "aborted" | "rejected"): Promise<void> {
		const link = this.link();
		if (!link || uploads.length === 0) return;
		this.ctx.storage.transactionSync(() => {
			const current = uploads
				.map((u) => this.uploads.get(u.id) ?? u)
				.filter((u) => u.state === "open" || u.state === "completed");
			if (current.length === 0) return;
			for (const u of current) this.uploads.update(u.id, { state });
			const fresh = this.link() ?? link;
			saveLink(
				this.sql,
				{
					...fresh,
					reservedFiles: Math.max(0, fresh.reservedFiles - current.length),
					reservedBytes: Math.max(0, fresh.reservedBytes - current.reduce((n, u) => n + u.size, 0)),
				},
				new Date().toISOString(),
			);
		});
		// Bytes go only for sessions that ended (never a finalized file's).
		const ended = uploads.filter((u) => {
			const now = this.uploads.get(u.id)?.state;
			return now === "aborted" || now === "rejected";
		});
		await forEachLimit(
			ended.filter((u) => u.r2UploadId),
			R2_PARALLEL,
			(u) => r2.abortMultipart(this.env.FILES, R2Keys.upload(link.id, u.id), u.r2UploadId ?? ""),
		);
		const keys = ended.map((u) => R2Keys.upload(link.id, u.id));
		await r2.deleteKeys(this.env.FILES, keys);
	}

	/** Finalizes one upload (see `finalizeUploads`); returns its refusal code or null. */
	private async finalizeUpload(
		link: LinkRecord,
		upload: UploadRecord,
	): Promise<Problem["code"] | null> {
		return (await this.finalizeUploads(link, [upload])).get(upload.id) ?? null;
	}

	/**
	 * Verifies committed objects against their declarations (a few at a time),
	 * refuses those that do not match, indexes the rest in D1 (one batch,
	 * idempotent), then commits them as finalized and turns their reservations
	 * into counted files and bytes in one transaction. Returns the refusal
	 * code of each refused upload. While it runs, the uploads are in
	 * `finalizing`, so an abort cannot take them back between the check and
	 * the commit (it would leave a D1 row without an object).
	 */
	private async finalizeUploads(
		link: LinkRecord,
		uploads: UploadRecord[],
	): Promise<Map<string, Problem["code"]>> {
		for (const u of uploads) this.finalizing.add(u.id);
		try {
			return await this.verifyAndCommit(link, uploads);
		} finally {
			for (const u of uploads) this.finalizing.delete(u.id);
		}
	}

	/** The body of `finalizeUploads`, run while its uploads are marked `finalizing`. */
	private async verifyAndCommit(
		link: LinkRecord,
		uploads: UploadRecord[],
	): Promise<Map<string, Problem["code"]>> {
		const refused = new Map<string, Problem["code"]>();
		const checks = await mapLimit(uploads, R2_PARALLEL, (u) =>
			r2.checkObject(this.env.FILES, R2Keys.upload(link.id, u.id), u.size, u.sha256),
		);
		const checked = this.seam("finalize-check");
		if (checked) await checked;
		const good: UploadRecord[] = [];
		uploads.forEach((u, i) => {
			const check = checks[i];
			if (check === "ok") good.push(u);
			// Retrying cannot bring back a missing or different object: refuse the file.
			else refused.set(u.id, check === "missing" ? "file-not-found" : (check ?? "file-not-found"));
		});
		await this.dropUploads(
			uploads.filter((u) => refused.has(u.id)),
			"rejected",
		);
		if (good.length === 0) return refused;
		const epoch = (this.link() ?? link).epoch;
		const createdAt = new Date().toISOString();
		await FilesTable.insertMany(
			this.env.DB,
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
		const indexed = this.seam("finalize-index");
		if (indexed) await indexed;
		this.ctx.storage.transactionSync(() => {
			const fresh = this.link();
			if (!fresh) return;
			const done = good.filter((u) => this.uploads.get(u.id)?.state === "completed");
			for (const u of done) {
				this.uploads.update(u.id, {
					state: "finalized",
					finalizedEpoch: fresh.epoch,
					fileId: fileIdOf(u.id),
				});
			}
			const bytes = done.reduce((n, u) => n + u.size, 0);
			saveLink(
				this.sql,
				{
					...fresh,
					reservedFiles: Math.max(0, fresh.reservedFiles - done.length),
					reservedBytes: Math.max(0, fresh.reservedBytes - bytes),
					filesCount: fresh.filesCount + done.length,
					bytesTotal: fresh.bytesTotal + bytes,
				},
				new Date().toISOString(),
			);
		});
		return refused;
	}

	/** `UPLOAD_IDLE_TIMEOUT_SECONDS`, in ms (see `idleTimeoutMs`). */
	private idleTimeoutMs(): number {
		return idleTimeoutMs(this.env.UPLOAD_IDLE_TIMEOUT_SECONDS);
	}

	/** Test seam inside finalize (`Faults.pauseAt`): undefined, so no await, when unset. */
	private seam(at: FinalizeSeam): Promise<void> | undefined {
		const hook = this.faults.pauseAt;
		if (hook?.at !== at) return undefined;
		this.faults.pauseAt = undefined;
		return hook.run();
	}

	/** Test seam: applies a lifecycle change between an admit and its record. Free when unset. */
	private async raceSeam(at: "admit" | "record"): Promise<void> {
		const race = this.faults.race;
		if (race?.at !== at) return;
		this.faults.race = undefined;
		const kind = race.kind;
		if (kind === "pause") {
			await this.transition({ kind: "admin" }, "pause");
			return;
		}
		const accepted = await this.requestCommand({ caller: { kind: "admin" }, kind });
		if (!accepted.ok) throw new Error(`race seam: ${accepted.problem.code}`);
		await this.drain();
	}

	private partCount(upload: UploadRecord): number {
		return upload.partSize ? Math.ceil(upload.size / upload.partSize) : 1;
	}

	protected uploadView(u: UploadRecord): UploadView {
		const command = u.finalizeCommandId ? this.log.get(u.finalizeCommandId) : null;
		return {
			id: u.id,
			name: u.name,
			size: u.size,
			type: u.type,
			mode: u.mode,
			partSize: u.partSize,
			partCount: this.partCount(u),
			state: u.state,
			admittedEpoch: u.admittedEpoch,
			completedEpoch: u.completedEpoch,
			finalizedEpoch: u.finalizedEpoch,
			parts: (u.mode === "multipart" ? this.uploads.parts(u.id) : []).map((p) => ({
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
}

function tooManyAttempts(seconds: number): Problem {
	return problem(
		"too-many-attempts",
		`Too many wrong passwords for this link; try again in ${seconds} s.`,
		{ retryable: true, retryAfter: seconds },
	);
}

/** Uploads settled per batch when a link becomes terminal. */
const SETTLE_BATCH = 500;
/** R2 calls in flight at once during cleanup. */
const R2_PARALLEL = 16;

const fileIdOf = (uploadId: string): string => `fil_${uploadId.slice(4)}`;
