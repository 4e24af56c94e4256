/**
 * The two checks around every R2 write of an upload, as pure decisions: may
 * this write happen (admit: the upload's mode, state, part number, exact
 * length, the single-PUT lease) and does the write stand once it landed
 * (record). What an uploader is told for each outcome is the fence's table
 * (fence.ts).
 */
import type { UploadMode, UploadState } from "../contract/enums";
import { isTerminal, type LinkState, TERMINAL_CODE } from "./lifecycle";
import { type Problem, problem } from "./problems";
import { expectedPartLength, missingParts } from "./uploads";

/**
 * The record check after an R2 write: the write stands only if no terminal
 * transition was applied since it was admitted, and the upload is still open.
 */
export function checkRecord(
	linkState: LinkState,
	upload: { state: UploadState },
): Problem | undefined {
	if (isTerminal(linkState))
		return problem(
			TERMINAL_CODE[linkState],
			"A terminal transition was applied while this write was in flight; it was discarded.",
		);
	if (upload.state === "aborted" || upload.state === "rejected") return problem("upload-aborted");
	if (upload.state !== "open")
		return problem("upload-state-conflict", `The upload is ${upload.state}.`);
	return undefined;
}

/** Where an upload's session stands, as the admit check of a write needs it. */
export interface WriteSubject {
	state: UploadState;
	mode: UploadMode;
	size: number;
	partSize: number | null;
	multipartId: string | null;
	leaseUntil: number | null;
}

/** The single-PUT lease: how long one PUT holds its upload against a second one. */
export const SINGLE_WRITE_LEASE_MS = 10 * 60 * 1000;

export type WriteDecision =
	| { kind: "refuse"; problem: Problem }
	/** A repeated complete: answer with the upload as it is. */
	| { kind: "already-completed" }
	/** Commit these parts. */
	| { kind: "complete" }
	/** Write exactly `expectedLength` bytes; `lease` when a single PUT takes the lease. */
	| { kind: "write"; expectedLength: number; lease: boolean };

/**
 * The admit check of a write, after the link's phase allowed it: the upload's
 * state and mode, the single-PUT lease, the part number and its exact length,
 * and for complete, that every part is present (`present`: part numbers held).
 */
export function decideWrite(
	op: "single-put" | "part-put" | "complete",
	u: WriteSubject,
	partNumber: number | undefined,
	present: readonly number[],
	now: number,
): WriteDecision {
	const refuse = (p: Problem): WriteDecision => ({ kind: "refuse", problem: p });
	const partCount = u.partSize ? Math.ceil(u.size / u.partSize) : 1;
	if (u.state === "aborted" || u.state === "rejected") return refuse(problem("upload-aborted"));
	if (op === "complete") {
		if (u.state !== "open") return { kind: "already-completed" };
		if (u.mode === "single") {
			return refuse(
				problem("upload-incomplete", "Send the file with PUT first.", {
					extra: { missingParts: [1] },
				}),
			);
		}
		const missing = missingParts(partCount, present);
		if (missing.length > 0) {
			return refuse(
				problem("upload-incomplete", `${missing.length} part(s) missing.`, {
					extra: { missingParts: missing.slice(0, 100) },
				}),
			);
		}
		return { kind: "complete" };
	}
	if (u.state !== "open")
		return refuse(problem("upload-state-conflict", `The upload is ${u.state}.`));
	if (op === "single-put") {
		if (u.mode !== "single")
			return refuse(problem("upload-state-conflict", "This is a multipart upload: send parts."));
		// The lease is stored (it survives eviction): a second PUT cannot overwrite the first.
		if ((u.leaseUntil ?? 0) > now) {
			return refuse(problem("upload-state-conflict", "Another PUT of this upload is in flight."));
		}
		return { kind: "write", expectedLength: u.size, lease: true };
	}
	if (u.mode !== "multipart" || u.partSize === null) {
		return refuse(problem("upload-state-conflict", "This is a single upload: PUT the whole file."));
	}
	if (!u.multipartId)
		return refuse(problem("upload-state-conflict", "The upload is not initialized yet."));
	const length = expectedPartLength(u.size, u.partSize, partNumber ?? 0);
	if (length === null) {
		return refuse(
			problem("invalid-part-number", `Parts of this upload are numbered 1 to ${partCount}.`),
		);
	}
	return { kind: "write", expectedLength: length, lease: false };
}
