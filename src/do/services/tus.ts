/**
 * tus PATCHes on the upload ledger: `begin` is the admit of a PATCH (the
 * terminal-state table, the upload's offset, the one-PATCH-at-a-time hold),
 * `end` is the record of what it leaves behind: the durable offset and its
 * remainder object, refused (and the remainder removed) if a terminal
 * transition was applied meanwhile. The parts in between go through the same
 * admit and record as native parts (writes.ts).
 */
import { fail, ok, problem, type Result } from "../../domain/problems";
import { decideTusPatch, TUS_LOCK_MS, tusPosition } from "../../domain/tus";
import { sessionExpiry } from "../../domain/uploads";
import { checkRecord } from "../../domain/writes";
import { R2Keys } from "../../storage/names";
import * as r2 from "../../storage/r2";
import type { TusBeginRequest, TusEndRequest, TusGrant, UploadView } from "../rpc";
import type { UploadDeps } from "./sessions";

export class TusLedger {
	constructor(private readonly deps: UploadDeps) {}

	/** Holds the upload for one PATCH starting at `offset`, and says where its bytes go. */
	async begin(req: TusBeginRequest): Promise<Result<TusGrant>> {
		const { host, sessions } = this.deps;
		const found = sessions.authorize(req, "part-put");
		if (!found.ok) return found;
		const { link, upload } = found.value;
		const now = host.now();
		const decision = decideTusPatch(upload, req.offset, now);
		if (decision.kind === "refuse") return fail(decision.problem);
		const partSize = upload.partSize ?? Math.max(upload.size, 1);
		// Every byte held but not completed yet (the completion was refused, say while paused):
		// no part and no remainder is left, only the completion.
		const position =
			upload.tusOffset === upload.size
				? { nextPart: Math.ceil(upload.size / partSize) + 1, restSize: 0 }
				: tusPosition(upload.tusOffset, partSize);
		if (decision.kind === "go") host.uploads.update(upload.id, { tusLockUntil: now + TUS_LOCK_MS });
		const hook = host.hooks().at?.("admit");
		if (hook) await hook;
		return ok({
			offset: upload.tusOffset,
			size: upload.size,
			partSize,
			nextPart: position.nextPart,
			restSize: position.restSize,
			key: R2Keys.upload(link.id, upload.id),
			restKey: R2Keys.tusRest(link.id, upload.id),
			r2UploadId: upload.r2UploadId,
			completed: decision.kind === "completed",
		});
	}

	/**
	 * Ends a PATCH: records the durable offset it left (recorded parts plus a
	 * remainder object it wrote) and releases the hold. A terminal transition
	 * applied since the PATCH began refuses it with the terminal row's 410 and
	 * removes the remainder (the session's own cleanup removes the rest).
	 */
	async end(req: TusEndRequest): Promise<Result<UploadView>> {
		const { host, state, sessions } = this.deps;
		const hook = host.hooks().at?.("record");
		if (hook) await hook;
		const link = state.link();
		const upload = host.uploads.get(req.uploadId);
		if (!link || !upload || upload.protocol !== "tus") return fail(problem("upload-not-found"));
		if (upload.state === "completed" || upload.state === "finalized") {
			host.uploads.update(upload.id, { tusLockUntil: null });
			return ok(sessions.view({ ...upload, tusLockUntil: null }));
		}
		const refused = checkRecord(link.state, upload);
		if (refused) {
			if (req.restWritten)
				await r2.deleteKeys(host.env.FILES, [R2Keys.tusRest(link.id, upload.id)]);
			if (upload.state === "open") await sessions.dropOne(upload, "aborted");
			return fail(state.withEpoch(refused));
		}
		const now = host.now();
		const tusOffset = Math.max(upload.tusOffset, Math.min(req.offset, upload.size));
		const moved = tusOffset > upload.tusOffset;
		const expiresAt = moved
			? sessionExpiry(Date.parse(upload.createdAt), now, sessions.idleTimeoutMs(), upload.expiresAt)
			: upload.expiresAt;
		host.uploads.update(upload.id, { tusOffset, tusLockUntil: null, expiresAt });
		return ok(sessions.view({ ...upload, tusOffset, tusLockUntil: null, expiresAt }));
	}
}
