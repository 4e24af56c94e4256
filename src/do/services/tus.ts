/**
 * tus PATCHes on the upload ledger: `begin` is the admit of a PATCH (the
 * terminal-state table, the upload's offset, the one-PATCH-at-a-time hold,
 * named by an id only that PATCH knows), `end` is the record of what it leaves
 * behind: the durable offset and the remainder object it wrote (its own key,
 * so a stale PATCH can never overwrite the remainder the offset counts). Only
 * the current holder's end counts; a terminal transition applied meanwhile
 * refuses it and removes its remainder. The parts in between go through the
 * same admit and record as native parts (writes.ts).
 */
import { fail, ok, problem, type Result } from "../../domain/problems";
import { decideTusPatch, TUS_LOCK_MS, tusPosition } from "../../domain/tus";
import { sessionExpiry } from "../../domain/uploads";
import { checkRecord } from "../../domain/writes";
import { randomBase32 } from "../../lib/crypto";
import { R2Keys } from "../../storage/names";
import type { TusBeginRequest, TusEndRequest, TusGrant, UploadView } from "../rpc";
import type { UploadRecord } from "../upload-store";
import type { UploadDeps } from "./upload-deps";

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
		const hold = randomBase32(12);
		if (decision.kind === "go")
			host.uploads.update(upload.id, { tusLockUntil: now + TUS_LOCK_MS, tusHold: hold });
		const hook = host.hooks().at?.("admit");
		if (hook) await hook;
		return ok({
			offset: upload.tusOffset,
			size: upload.size,
			partSize,
			nextPart: position.nextPart,
			restSize: position.restSize,
			key: R2Keys.upload(link.id, upload.id),
			restKey: position.restSize > 0 ? upload.tusRestKey : null,
			hold,
			newRestKey: R2Keys.tusRest(link.id, upload.id, hold),
			multipartId: upload.multipartId,
			completed: decision.kind === "completed",
		});
	}

	/**
	 * Ends a PATCH. The current holder's end records the durable offset it
	 * left (recorded parts plus the remainder it wrote), releases the hold and
	 * removes the remainder it superseded. A stale PATCH's end (its hold ran
	 * out and another PATCH took over) changes nothing and removes its own
	 * remainder. A terminal transition applied since the PATCH began refuses it
	 * with the terminal row's 410 and removes its remainder.
	 */
	async end(req: TusEndRequest): Promise<Result<UploadView>> {
		const { host, row, sessions } = this.deps;
		const hook = host.hooks().at?.("record");
		if (hook) await hook;
		const link = row.link();
		const upload = host.uploads.get(req.uploadId);
		if (!link || !upload || upload.protocol !== "tus") return fail(problem("upload-not-found"));
		const own = R2Keys.tusRest(link.id, upload.id, req.hold);
		const mine = upload.tusHold === req.hold;
		if (!mine || upload.state === "completed" || upload.state === "finalized") {
			// Stale, or the upload is complete: only what this PATCH wrote (and, once complete,
			// the remainder the offset counted) is removed.
			const superseded = mine && upload.tusRestKey ? [upload.tusRestKey] : [];
			if (mine)
				host.uploads.update(upload.id, { tusLockUntil: null, tusHold: null, tusRestKey: null });
			await this.remove([...(req.restWritten ? [own] : []), ...superseded]);
			return ok(sessions.view(host.uploads.get(upload.id) ?? upload));
		}
		const refused = checkRecord(link.state, upload);
		if (refused) {
			if (req.restWritten) await this.remove([own]);
			if (upload.state === "open") await sessions.dropOne(upload, "aborted");
			return fail(row.withEpoch(refused));
		}
		return ok(await this.record(upload, req, own));
	}

	/** The holder's end on a live upload: offset, remainder, hold; the old remainder removed. */
	private async record(upload: UploadRecord, req: TusEndRequest, own: string) {
		const { host, sessions } = this.deps;
		const now = host.now();
		// A refused PATCH counts for nothing: the parts it recorded are written again by the next.
		const tusOffset = req.refused
			? Math.min(upload.tusOffset, req.offset)
			: Math.max(upload.tusOffset, Math.min(req.offset, upload.size));
		const partSize = upload.partSize ?? Math.max(upload.size, 1);
		const onBoundary = tusOffset % partSize === 0;
		// The remainder the offset counts: this PATCH's, or none on a part boundary, or the old one.
		const tusRestKey = req.restWritten ? own : onBoundary ? null : upload.tusRestKey;
		const expiresAt =
			tusOffset > upload.tusOffset
				? sessionExpiry(
						Date.parse(upload.createdAt),
						now,
						sessions.idleTimeoutMs(),
						upload.expiresAt,
					)
				: upload.expiresAt;
		const next = { tusOffset, tusLockUntil: null, tusHold: null, tusRestKey, expiresAt };
		host.uploads.update(upload.id, next);
		if (upload.tusRestKey && upload.tusRestKey !== tusRestKey)
			await this.remove([upload.tusRestKey]);
		return sessions.view({ ...upload, ...next });
	}

	private async remove(keys: string[]): Promise<void> {
		if (keys.length > 0) await this.deps.host.store.delete(keys);
	}
}
