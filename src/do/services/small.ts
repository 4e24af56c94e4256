/**
 * One-request small uploads: two DO calls around one R2 write, each made of
 * the calls the three-request path makes. `admit` is the init (gate, file
 * rules, quota reserved in the transaction that creates the session) and the
 * single PUT's admit (the write's lease) in one transaction; `record` is the
 * single PUT's record (the epoch re-check, a refused write's bytes removed)
 * and the finalize request (queued through the outbox). The rules stay where
 * they are: the ledger, the write fence and src/domain.
 */
import { fenceProblem } from "../../domain/fence";
import { fail, ok, problem, type Result } from "../../domain/problems";
import { checkSmallSize, decideSmallReplay, inFlightProblem } from "../../domain/small";
import { decideWrite, SINGLE_WRITE_LEASE_MS } from "../../domain/writes";
import { commandView } from "../command-log";
import type { LinkRecord } from "../link-store";
import type {
	InitRequest,
	SmallAdmitOutcome,
	SmallRecorded,
	SmallRecordRequest,
	WriteGrant,
} from "../rpc";
import type { UploadLedger } from "./ledger";
import type { UploadDeps } from "./upload-deps";
import type { WriteFence } from "./writes";

/** Idempotency scope of one-request uploads on a link (apart from the inits'). */
const SMALL_SCOPE = "uploader:small";

export class SmallUploads {
	constructor(
		private readonly deps: UploadDeps,
		private readonly ledger: UploadLedger,
		private readonly writes: WriteFence,
	) {}

	/**
	 * The admit: the init's gate (link secret, `init` row, password), an
	 * `Idempotency-Key` replay, the init's file rules and quota, the single
	 * PUT's admit decision; then the session is stored with its quota
	 * reserved and its write's lease taken, in one transaction. A refusal is
	 * answered as the fence's table says (src/domain/fence.ts).
	 */
	async admit(req: InitRequest): Promise<Result<SmallAdmitOutcome>> {
		const admitted = await this.admitOnce(req);
		if (admitted.ok) return admitted;
		return fail(fenceProblem("admit-refused", "body", admitted.problem) ?? admitted.problem);
	}

	private async admitOnce(req: InitRequest): Promise<Result<SmallAdmitOutcome>> {
		const gate = this.ledger.gate(req);
		if (!gate.ok) return gate;
		if (!("link" in gate.value)) return ok(gate.value);
		const { link } = gate.value;
		const tooLarge = checkSmallSize(req.size);
		if (tooLarge) return fail(tooLarge);
		if (req.idempotency) {
			const replayed = await this.replay(link, req.idempotency);
			// An abandoned first request was ended (an await): judge this one afresh.
			if (replayed === "again") return this.admitOnce(req);
			if (replayed) return replayed;
		}
		const built = this.ledger.build(link, req, "native");
		if (!built.ok) return built;
		const now = this.deps.host.now();
		const decision = decideWrite("single-put", built.value, undefined, [], now);
		if (decision.kind !== "write") {
			// A new session of at most one part is a single upload with no lease: always a write.
			throw new Error(`one-request admit: unexpected ${decision.kind}`);
		}
		const upload = {
			...built.value,
			leaseUntil: decision.lease ? now + SINGLE_WRITE_LEASE_MS : null,
		};
		this.deps.host.transaction(() => this.ledger.open(link, upload, req.idempotency, SMALL_SCOPE));
		await this.ledger.opened(upload);
		const grant: WriteGrant = {
			key: this.deps.sessions.keyOf(upload.id),
			multipartId: null,
			expectedLength: decision.expectedLength,
			sha256: upload.sha256,
			parts: [],
			alreadyCompleted: false,
			epoch: link.epoch,
		};
		return ok({ kind: "write", grant, upload: this.deps.sessions.view(upload) });
	}

	/**
	 * A seen key: the same metadata replays the first request's command; other
	 * metadata is 422; a first request still writing is 409; one whose session
	 * ended frees the key (null: go on as a new upload); one that died after
	 * its admit (its lease ran out) is ended and frees the key ("again": the
	 * link may have changed meanwhile, so the request is admitted afresh).
	 */
	private async replay(
		link: LinkRecord,
		idempotency: { key: string; requestHash: string },
	): Promise<Result<SmallAdmitOutcome> | null | "again"> {
		const { commandLog, uploads } = this.deps.host;
		const seen = commandLog.idempotent(SMALL_SCOPE, idempotency.key);
		if (!seen) return null;
		if (seen.requestHash !== idempotency.requestHash)
			return fail(problem("idempotency-key-reused"));
		const original = uploads.get(seen.id) ?? null;
		const command = original?.finalizeCommandId ? commandLog.get(original.finalizeCommandId) : null;
		switch (decideSmallReplay(original, this.deps.host.now())) {
			case "replay":
				if (original && command)
					return ok({
						kind: "replayed",
						command: commandView(link.id, command),
						upload: this.deps.sessions.view(original),
					});
				break;
			case "in-flight":
				return fail(inFlightProblem());
			case "abandoned":
				// Its quota is released and any bytes it left removed; should its record
				// still arrive, it meets an aborted session and is refused.
				commandLog.forget(SMALL_SCOPE, idempotency.key);
				if (original) await this.deps.sessions.dropOne(original, "aborted");
				return "again";
		}
		commandLog.forget(SMALL_SCOPE, idempotency.key);
		return null;
	}

	/**
	 * The record, then the finalize: the write is recorded exactly as a single
	 * PUT's (a terminal transition since the admit refuses it and removes its
	 * object), and its finalize command accepted in the same synchronous
	 * section (no await between them but on this object's storage). A write
	 * that did not land ends its session (no one else holds its token): the
	 * quota is released at once.
	 */
	async record(req: SmallRecordRequest): Promise<Result<SmallRecorded>> {
		const { uploadId } = req.auth;
		const recorded = await this.writes.record({ uploadId, op: "single-put", outcome: req.outcome });
		if (!recorded.ok) {
			const left = this.deps.host.uploads.get(uploadId);
			if (left?.state === "open") await this.deps.sessions.dropOne(left, "aborted");
			return recorded;
		}
		const finalize = await this.ledger.requestFinalize(req.auth);
		if (!finalize.ok) return finalize;
		const upload = this.deps.host.uploads.get(uploadId);
		return ok({
			command: finalize.value.command,
			upload: upload ? this.deps.sessions.view(upload) : recorded.value,
		});
	}
}
