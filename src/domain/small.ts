/**
 * One-request small uploads (docs/uploads.md#one-request-small-files): a file
 * of at most one part size sent with its metadata in one request, admitted
 * (a new session and its single write), written, recorded and its finalize
 * queued. The rules are the init's and the single PUT's; what is new here is
 * the size limit of the route and what an `Idempotency-Key` replay gets.
 * Pure.
 */
import type { UploadState } from "../contract/enums";
import { type Problem, problem } from "./problems";
import { SINGLE_MAX_BYTES } from "./uploads";

/** The largest file one request may carry: one part (a single upload's largest size). */
export const SMALL_MAX_BYTES = SINGLE_MAX_BYTES;

/**
 * May a one-request upload of `size` bytes be tried at all? Larger files go
 * through `POST /uploads` (parts). The link's own per-file limit is checked
 * with the file rules, as for an init.
 */
export function checkSmallSize(size: number): Problem | undefined {
	if (size <= SMALL_MAX_BYTES) return undefined;
	return problem(
		"payload-too-large",
		`One-request uploads carry at most ${SMALL_MAX_BYTES} bytes; send larger files with POST /r/:linkId/uploads.`,
		{ extra: { maxBytes: SMALL_MAX_BYTES } },
	);
}

/**
 * What a one-request upload repeating a seen `Idempotency-Key` (with the same
 * metadata) gets, from the state of the upload the key's first request made:
 * - `replay`: its finalize was accepted; answer that command again (no write,
 *   no new upload token: a replay hands nothing over that lets anyone act on
 *   the upload);
 * - `in-flight`: the first request is between its admit and its record: 409,
 *   retry later;
 * - `abandoned`: the first request died between its admit and its record
 *   (its write's lease, which outlasts any write, has run out with nothing
 *   recorded): its session is ended and the key is free, so a client that
 *   retries does not meet 409 until the session's idle expiry;
 * - `new`: the first request's write failed and its session ended: the key is
 *   free and this request is a new upload.
 */
export function decideSmallReplay(
	original: {
		state: UploadState;
		finalizeCommandId: string | null;
		leaseUntil: number | null;
	} | null,
	now: number,
): "replay" | "in-flight" | "abandoned" | "new" {
	if (!original) return "new";
	if (original.finalizeCommandId) return "replay";
	if (original.state === "open")
		return original.leaseUntil !== null && original.leaseUntil <= now ? "abandoned" : "in-flight";
	if (original.state === "completed") return "in-flight";
	return "new";
}

/** The 409 of a replay that arrives while the first request with its key is still writing. */
export function inFlightProblem(): Problem {
	return problem(
		"upload-state-conflict",
		"The first request with this Idempotency-Key is still in flight; retry shortly.",
		{ retryable: true, retryAfter: 1 },
	);
}
