/**
 * tus 1.0 over the upload ledger, as pure decisions. A tus upload is a
 * multipart upload whose bytes arrive in PATCHes of any length: the edge cuts
 * them into the upload's fixed part size, each part written under the same
 * admit and record as a native part, and keeps what is left below a part
 * boundary as a remainder object until the next PATCH. The durable offset
 * counts recorded parts plus that remainder, nothing else.
 */
import type { UploadProtocol, UploadState } from "../contract/enums";
import { MAX_PARTS } from "./parts";
import { type Problem, problem } from "./problems";

/**
 * The largest tus upload: a PATCH that is not exactly one part is cut into
 * parts in the edge's memory (about two parts at a time), so a part may be at
 * most 32 MiB; with 10,000 parts that is about 312 GiB. Larger files go
 * through the native API, whose parts stream to R2 as they are.
 */
export const TUS_MAX_BYTES = MAX_PARTS * 32 * 1024 * 1024;

/** How long a PATCH holds its upload against another PATCH; every recorded part renews it. */
export const TUS_LOCK_MS = 60_000;

/** Where a tus upload stands at `offset`: the next part to write and the remainder before it. */
export function tusPosition(
	offset: number,
	partSize: number,
): { nextPart: number; restSize: number } {
	return { nextPart: Math.floor(offset / partSize) + 1, restSize: offset % partSize };
}

export interface TusSubject {
	protocol: UploadProtocol;
	state: UploadState;
	size: number;
	tusOffset: number;
	tusLockUntil: number | null;
}

/**
 * May a PATCH at `offset` start? A completed upload answers the client's
 * repeated final PATCH; another PATCH in flight is 423 (never interleaved);
 * an offset other than the durable one is 409.
 */
export function decideTusPatch(
	upload: TusSubject,
	offset: number,
	now: number,
): { kind: "go" } | { kind: "completed" } | { kind: "refuse"; problem: Problem } {
	if (upload.protocol !== "tus")
		return refuse(problem("upload-state-conflict", "This upload is not a tus upload."));
	if ((upload.state === "completed" || upload.state === "finalized") && offset === upload.size)
		return { kind: "completed" };
	if (upload.state === "aborted" || upload.state === "rejected")
		return refuse(problem("upload-aborted"));
	if (upload.state !== "open")
		return refuse(problem("upload-state-conflict", `The upload is ${upload.state}.`));
	if (upload.tusLockUntil !== null && upload.tusLockUntil > now)
		return refuse(problem("upload-locked", undefined, { retryable: true, retryAfter: 1 }));
	if (offset !== upload.tusOffset)
		return refuse(
			problem(
				"upload-offset-mismatch",
				`The upload holds ${upload.tusOffset} bytes; send Upload-Offset: ${upload.tusOffset}.`,
				{ extra: { offset: upload.tusOffset } },
			),
		);
	return { kind: "go" };
}

const refuse = (p: Problem) => ({ kind: "refuse" as const, problem: p });

/** The durable offset after part `n` of `partSize` is recorded (never past the upload's size). */
export function offsetAfterPart(size: number, partSize: number, n: number): number {
	return Math.min(size, n * partSize);
}
