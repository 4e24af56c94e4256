/**
 * The two checks around every R2 write of an upload: admit before (link
 * secret, upload token, the terminal-state table, the upload's mode and
 * state, the exact length the body must have) and record after. A terminal
 * transition applied in between makes the record refuse the write (the
 * terminal row's 410) and remove its bytes: it is never recorded. Every
 * answer but a grant or a recorded write is the fence's table's
 * (`fenceProblem`, src/domain/fence.ts).
 */
import { fenceProblem, kindOf } from "../../domain/fence";
import { fail, ok, problem, type Result } from "../../domain/problems";
import { offsetAfterPart, TUS_LOCK_MS } from "../../domain/tus";
import { sessionExpiry } from "../../domain/uploads";
import { checkRecord, decideWrite, SINGLE_WRITE_LEASE_MS } from "../../domain/writes";
import type { LinkHost } from "../host";
import type { RecordRequest, UploadView, WriteGrant, WriteRequest } from "../rpc";
import type { UploadRecord } from "../upload-store";
import type { LinkRow } from "./link-row";
import type { Sessions } from "./sessions";

export class WriteFence {
	constructor(
		private readonly host: LinkHost,
		private readonly row: LinkRow,
		private readonly sessions: Sessions,
	) {}

	/** The admit check: what the write may do (key, length, parts), or why not. */
	async admit(req: WriteRequest): Promise<Result<WriteGrant>> {
		const granted = this.grant(req);
		if (!granted.ok)
			return fail(
				fenceProblem("admit-refused", kindOf(req.op), granted.problem) ?? granted.problem,
			);
		const hook = this.host.hooks().at?.("admit");
		if (hook) await hook;
		return granted;
	}

	private grant(req: WriteRequest): Result<WriteGrant> {
		const found = this.sessions.authorize(req, req.op);
		if (!found.ok) return found;
		const { link, upload } = found.value;
		const store = this.host.uploads;
		const grant: WriteGrant = {
			key: this.sessions.keyOf(upload.id),
			multipartId: upload.multipartId,
			expectedLength: upload.size,
			sha256: upload.sha256,
			parts: [],
			alreadyCompleted: false,
			epoch: link.epoch,
		};
		const parts = req.op === "complete" && upload.state === "open" ? store.parts(upload.id) : [];
		const now = this.host.now();
		const decision = decideWrite(
			req.op,
			upload,
			req.partNumber,
			parts.map((p) => p.partNumber),
			now,
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
				if (decision.lease) store.update(upload.id, { leaseUntil: now + SINGLE_WRITE_LEASE_MS });
				return ok({ ...grant, expectedLength: decision.expectedLength });
		}
	}

	/**
	 * The record check after the write. A part or completion that landed while
	 * the link stayed non-terminal is recorded with the epoch, and pushes the
	 * session's idle expiry forward (within its 24 h cap).
	 */
	async record(req: RecordRequest): Promise<Result<UploadView>> {
		const hook = this.host.hooks().at?.("record");
		if (hook) await hook;
		const link = this.row.link();
		const store = this.host.uploads;
		const found = store.get(req.uploadId);
		if (!link || !found) return fail(problem("upload-not-found"));
		if (req.op === "single-put" && found.leaseUntil !== null)
			store.update(found.id, { leaseUntil: null });
		const upload = { ...found, leaseUntil: null };
		if (req.op === "complete" && upload.state === "completed")
			return ok(this.sessions.view(upload));
		const kind = kindOf(req.op);
		const refused = checkRecord(link.state, upload);
		if (refused) {
			if (req.outcome.ok) await this.sessions.compensate(upload, req.op);
			return fail(this.row.withEpoch(fenceProblem("record-refused", kind, refused) ?? refused));
		}
		const answered = fenceProblem(req.outcome.ok ? "ok" : req.outcome.reason, kind);
		// Only a write that landed can be recorded: it needs the store's etag.
		if (answered || !req.outcome.ok) return fail(answered ?? problem("internal-error"));
		const expiresAt = sessionExpiry(
			Date.parse(upload.createdAt),
			this.host.now(),
			this.sessions.idleTimeoutMs(),
			upload.expiresAt,
		);
		if (req.op === "part-put") {
			const { etag, size } = req.outcome;
			const n = req.partNumber ?? 0;
			this.host.transaction(() => {
				store.putPart(upload.id, { partNumber: n, etag, size, recordedEpoch: link.epoch });
				store.update(upload.id, { expiresAt, ...this.tusProgress(upload, n) });
			});
			return ok(this.sessions.view({ ...upload, expiresAt }));
		}
		const tus = upload.protocol === "tus" ? { tusOffset: upload.size, tusLockUntil: null } : {};
		store.update(upload.id, { state: "completed", completedEpoch: link.epoch, expiresAt, ...tus });
		return ok(
			this.sessions.view({ ...upload, state: "completed", completedEpoch: link.epoch, expiresAt }),
		);
	}

	/** A recorded tus part moves the durable offset to its end and renews the PATCH's hold. */
	private tusProgress(upload: UploadRecord, partNumber: number) {
		if (upload.protocol !== "tus" || upload.partSize === null) return {};
		const offset = offsetAfterPart(upload.size, upload.partSize, partNumber);
		return {
			tusOffset: Math.max(upload.tusOffset, offset),
			...(upload.tusLockUntil !== null ? { tusLockUntil: this.host.now() + TUS_LOCK_MS } : {}),
		};
	}
}
