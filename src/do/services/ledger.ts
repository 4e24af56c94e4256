/**
 * The upload ledger's session calls: init (password gate, required details,
 * file rules, quota reserved in the transaction that creates the session),
 * recording the R2 multipart upload an init created, abort (by the uploader
 * or the owner), status, the finalize request and the owner's list.
 */
import type { UploadProtocol } from "../../contract/enums";
import type { Caller } from "../../domain/actor";
import { refusal } from "../../domain/lifecycle";
import { afterFailure, NO_ATTEMPTS, passwordWaitSeconds } from "../../domain/password";
import { fail, ok, type Problem, problem, type Result } from "../../domain/problems";
import {
	checkFile,
	checkQuota,
	checkUploaderDetails,
	decideAbort,
	finalizeOutcome,
	planUpload,
	sessionExpiry,
} from "../../domain/uploads";
import { checkRecord } from "../../domain/writes";
import { passwordParams, proofMatches, timingSafeEqual } from "../../lib/crypto";
import { errorField, logEvent } from "../../lib/log";
import { TIMERS } from "../../storage/names";
import { commandView } from "../command-log";
import { type LinkRecord, saveLink } from "../link-store";
import { pageOf } from "../page";
import { loadAttempts, saveAttempts } from "../password-attempts";
import type {
	CommandView,
	InitOutcome,
	InitRequest,
	UploadAuth,
	UploadCursor,
	UploadView,
} from "../rpc";
import type { UploadRecord } from "../upload-store";
import type { UploadDeps } from "./upload-deps";

/** A password-protected link's answer to an init without a matching proof: derive it under `params`. */
export type PasswordChallenge = Extract<InitOutcome, { kind: "password" }>;

/** Idempotency scope of anonymous upload inits on a link. */
const INIT_SCOPE = "uploader:init";

export class UploadLedger {
	constructor(private readonly deps: UploadDeps) {}

	/**
	 * Admits an upload: link secret, phase, password, an `Idempotency-Key`
	 * replay, required details, file rules and quota, then reserves the quota
	 * in the transaction that creates the session. A multipart upload's answer
	 * names the key its R2 multipart upload is to be created under.
	 */
	async init(req: InitRequest): Promise<Result<InitOutcome>> {
		const gate = this.gate(req);
		if (!gate.ok) return gate;
		if (!("link" in gate.value)) return ok(gate.value);
		const { link } = gate.value;
		// Replays are checked after the lifecycle and the password, so a replayed key never
		// bypasses them, and they only answer a caller who presents the session's own
		// Upload-Token (see `replay`): knowing the link URL and the key is not enough.
		const replay = req.idempotency ? this.replay(req, req.idempotency) : null;
		if (replay) return replay;
		const built = this.build(link, req, req.protocol ?? "native");
		if (!built.ok) return built;
		const upload = built.value;
		this.deps.host.transaction(() => this.open(link, upload, req.idempotency, INIT_SCOPE));
		await this.opened(upload);
		return ok({
			kind: "created",
			upload: this.deps.sessions.view(upload),
			replayed: false,
			needsMultipart:
				upload.mode === "multipart" ? { key: this.deps.sessions.keyOf(upload.id) } : null,
		});
	}

	/**
	 * The gate of every new session: the link secret, the terminal-state
	 * table's `init` row, the password (a challenge while no proof matches the
	 * link's params).
	 */
	gate(req: InitRequest): Result<{ link: LinkRecord } | PasswordChallenge> {
		const link = this.deps.row.link();
		if (!link || !timingSafeEqual(link.tokenHash, req.linkSecretHash))
			return fail(problem("link-not-found"));
		const refused = this.deps.row.refuse(link, "init");
		if (refused) return fail(refused);
		return this.checkPassword(link, req) ?? ok({ link });
	}

	/**
	 * A new session as `req` asks for it, if the link takes it: required
	 * details, file rules, quota. Nothing is stored (see `open`).
	 */
	build(link: LinkRecord, req: InitRequest, protocol: UploadProtocol): Result<UploadRecord> {
		const s = link.settings;
		const bad = checkUploaderDetails(s, req) ?? checkFile(s, req) ?? checkQuota(s, link, req.size);
		if (bad) return fail(bad);
		const plan = planUpload(req.size, protocol);
		const now = this.deps.host.now();
		return ok({
			id: req.uploadId,
			tokenHash: req.tokenHash,
			name: req.name,
			size: req.size,
			type: req.type,
			mode: plan.mode,
			partSize: plan.partSize,
			multipartId: null,
			state: "open",
			admittedEpoch: link.epoch,
			completedEpoch: null,
			finalizedEpoch: null,
			uploaderName: req.uploaderName,
			uploaderEmail: req.uploaderEmail,
			sha256: req.sha256,
			expiresAt: sessionExpiry(now, now, this.deps.sessions.idleTimeoutMs()),
			finalizeCommandId: null,
			fileId: null,
			leaseUntil: null,
			protocol,
			tusOffset: 0,
			tusLockUntil: null,
			tusHold: null,
			tusRestKey: null,
			createdAt: new Date(now).toISOString(),
			updatedAt: new Date(now).toISOString(),
		});
	}

	/**
	 * Stores a session built by `build` and reserves its quota, and remembers
	 * its `Idempotency-Key` under `scope`. Call it inside a transaction, with
	 * the link as loaded in the same synchronous section.
	 */
	open(
		link: LinkRecord,
		upload: UploadRecord,
		idempotency: InitRequest["idempotency"],
		scope: string,
	): void {
		this.deps.host.uploads.insert(upload);
		saveLink(
			this.deps.host.sql,
			{
				...link,
				reservedFiles: link.reservedFiles + 1,
				reservedBytes: link.reservedBytes + upload.size,
			},
			upload.createdAt,
		);
		if (idempotency)
			this.deps.host.commandLog.remember(
				scope,
				idempotency.key,
				idempotency.requestHash,
				upload.id,
			);
	}

	/** After a session was opened: its expiry timer, and the test hook of an admit. */
	async opened(upload: UploadRecord): Promise<void> {
		await this.deps.host.timers.schedule(TIMERS.sessions, upload.expiresAt);
		const hook = this.deps.host.hooks().at?.("admit");
		if (hook) await hook;
	}

	/** The answer to an init replaying a seen `Idempotency-Key`, or null for a new key. */
	private replay(
		req: InitRequest,
		idempotency: { key: string; requestHash: string },
	): Result<InitOutcome> | null {
		const seen = this.deps.host.commandLog.idempotent(INIT_SCOPE, idempotency.key);
		if (!seen) return null;
		if (seen.requestHash !== idempotency.requestHash)
			return fail(problem("idempotency-key-reused"));
		const original = this.deps.host.uploads.get(seen.id);
		if (!original) return null;
		// A replay never mints a token: it must present the one the first request chose
		// (the client picks its Upload-Token, so a lost answer loses nothing). Anyone else
		// who knows the link secret and the key, or a first request that let the server
		// pick the token, gets no session (docs/uploads.md, "Idempotency-Key on init").
		if (!timingSafeEqual(original.tokenHash, req.tokenHash))
			return fail(problem("idempotency-token-mismatch"));
		const pending = original.mode === "multipart" && original.state === "open";
		return ok({
			kind: "created",
			upload: this.deps.sessions.view(original),
			replayed: true,
			needsMultipart:
				pending && !original.multipartId ? { key: this.deps.sessions.keyOf(original.id) } : null,
		});
	}

	/**
	 * The password gate of an init: null when the link has no password or the
	 * proof matches; otherwise the refusal, or a challenge naming the params
	 * the edge must derive the password's hash under. A wrong proof counts
	 * against the link's guess limit; while the link waits, attempts are
	 * refused unchecked.
	 */
	private checkPassword(link: LinkRecord, req: InitRequest): Result<PasswordChallenge> | null {
		if (!link.passwordHash) return null;
		if (!req.passwordGiven) return fail(problem("password-required"));
		const now = this.deps.host.now();
		const attempts = loadAttempts(this.deps.host.sql);
		const wait = passwordWaitSeconds(attempts, now);
		if (wait > 0) return fail(tooManyAttempts(wait));
		const params = passwordParams(link.passwordHash);
		// No proof yet, or one derived under params that changed since: (re)issue the challenge.
		if (req.passwordProof?.params !== params) return ok({ kind: "password", params });
		if (proofMatches(link.passwordHash, req.passwordProof.hash)) {
			if (attempts.failures > 0) saveAttempts(this.deps.host.sql, NO_ATTEMPTS);
			return null;
		}
		const next = afterFailure(attempts, now);
		saveAttempts(this.deps.host.sql, next);
		const nextWait = passwordWaitSeconds(next, now);
		return fail(
			problem(
				"password-incorrect",
				undefined,
				nextWait > 0 ? { retryable: true, retryAfter: nextWait } : {},
			),
		);
	}

	/** Records the R2 multipart upload created for an admitted init (the record check). */
	async recordInit(uploadId: string, multipartId: string): Promise<Result<UploadView>> {
		const hook = this.deps.host.hooks().at?.("record");
		if (hook) await hook;
		const link = this.deps.row.link();
		const upload = this.deps.host.uploads.get(uploadId);
		if (!link || !upload) return fail(problem("upload-not-found"));
		const key = this.deps.sessions.keyOf(uploadId);
		if (upload.multipartId !== null) {
			// Exactly one multipart upload per session: inits racing with one Idempotency-Key can
			// each create one (a replay answers needsMultipart while the first create is in
			// flight). The first recorded stays; a different one is aborted, and the session is
			// answered as it is. Nothing is dropped here: the session's own upload is not ours to
			// end (a repeated record of the same id is not a refused write).
			if (upload.multipartId !== multipartId) {
				// The session stands either way; a failed abort leaves the extra upload to the
				// bucket's lifecycle rule for incomplete multipart uploads (docs/deploy.md).
				await this.deps.host.store.abortMultipart(key, multipartId).catch((error) => {
					logEvent("r2.abort-multipart-failed", { uploadId, error: errorField(error) }, "warn");
				});
			}
			const now = this.deps.row.link() ?? link;
			const current = this.deps.host.uploads.get(uploadId) ?? upload;
			const gone = checkRecord(now.state, current);
			if (gone && gone.code !== "upload-state-conflict") return fail(this.deps.row.withEpoch(gone));
			return ok(this.deps.sessions.view(current));
		}
		const refused = checkRecord(link.state, upload);
		if (refused) {
			await this.deps.host.store.abortMultipart(key, multipartId);
			await this.deps.sessions.dropOne(upload, "aborted");
			return fail(this.deps.row.withEpoch(refused));
		}
		this.deps.host.uploads.update(uploadId, { multipartId });
		return ok(this.deps.sessions.view({ ...upload, multipartId }));
	}

	/** Abort by the uploader: releases the quota and removes the bytes. Idempotent. */
	async abort(auth: UploadAuth): Promise<Result<null>> {
		const found = this.deps.sessions.authorize(auth, "abort");
		if (!found.ok) return found;
		return this.end(found.value.upload);
	}

	/**
	 * Abort by the link's owner (or an admin): ends any session of the link,
	 * as the uploader's abort does. Another owner's link is 404
	 * `link-not-found`, an unknown upload 404 `upload-not-found`; the
	 * terminal-state table's `abort` row applies.
	 */
	async ownerAbort(caller: Caller, uploadId: string): Promise<Result<null>> {
		const found = this.deps.row.authorize(caller, "abort");
		if (!found.ok) return found;
		const upload = this.deps.host.uploads.get(uploadId);
		if (!upload) return fail(problem("upload-not-found"));
		return this.end(upload);
	}

	/** Ends a session unless it already ended, is finalized, or is being finalized (`decideAbort`). */
	private async end(upload: UploadRecord): Promise<Result<null>> {
		const decision = decideAbort(upload.state, this.deps.finalizer.isFinalizing(upload.id));
		if (decision.kind === "refuse") return fail(this.deps.row.withEpoch(decision.problem));
		if (decision.kind === "drop") await this.deps.sessions.dropOne(upload, "aborted");
		return ok(null);
	}

	/** The uploader's view of its upload, with the parts the server holds (for resuming). */
	status(auth: UploadAuth): Result<UploadView> {
		const found = this.deps.sessions.authorize(auth, "upload-status");
		return found.ok ? ok(this.deps.sessions.view(found.value.upload)) : found;
	}

	/**
	 * Finalize is a command, decided in seq order with terminal commands. One
	 * finalize command per upload: asking again returns it.
	 */
	async requestFinalize(
		auth: UploadAuth,
	): Promise<Result<{ command: CommandView; created: boolean }>> {
		const found = this.deps.sessions.authorize(auth, "finalize");
		if (!found.ok) return found;
		const { link, upload } = found.value;
		const { commandLog, uploads } = this.deps.host;
		if (upload.finalizeCommandId) {
			const existing = commandLog.get(upload.finalizeCommandId);
			if (existing) return ok({ command: commandView(link.id, existing), created: false });
		}
		const outcome = finalizeOutcome({ ...link, lateFinalize: link.settings.lateFinalize }, upload);
		if (outcome.kind === "reject") return fail(refusal(outcome.code, link.epoch));
		const command = this.deps.host.transaction(() => {
			const c = this.deps.outbox.newCommand(link, "finalize", `upload:${upload.id}`, {
				uploadId: upload.id,
			});
			uploads.update(upload.id, { finalizeCommandId: c.id });
			return c;
		});
		await this.deps.outbox.afterAccept(false);
		return ok({
			command: commandView(link.id, commandLog.get(command.id) ?? command),
			created: true,
		});
	}

	/** Upload sessions for the owner, newest first. */
	list(
		caller: Caller,
		limit: number,
		before: UploadCursor | null,
	): Result<{ items: UploadView[]; nextCursor: UploadCursor | null }> {
		const found = this.deps.row.authorize(caller, "owner-read");
		if (!found.ok) return found;
		const rows = this.deps.host.uploads.list(limit + 1, before);
		return ok(
			pageOf(
				rows,
				limit,
				(u) => this.deps.sessions.view(u),
				(last) => ({ createdAt: last.createdAt, id: last.id }),
			),
		);
	}
}

function tooManyAttempts(seconds: number): Problem {
	return problem(
		"too-many-attempts",
		`Too many wrong passwords for this link; try again in ${seconds} s.`,
		{ retryable: true, retryAfter: seconds },
	);
}
