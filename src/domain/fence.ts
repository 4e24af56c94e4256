/**
 * The write fence's one table: what an uploader is told for each way a
 * fenced write can end (docs/lifecycle.md#admit-and-record-around-every-r2-write).
 * Every write an upload protocol makes (native single PUT, part, complete;
 * tus parts, completion and empty file; one-request small files) is admitted
 * by the link's DO, written to the object store, then recorded by the DO,
 * and every one of them is answered from this table: the DO looks its
 * refusals and the write's outcome up here, the protocols never decide.
 */
import type { Problem, ProblemCode } from "./problems";
import { problem } from "./problems";

/**
 * Why a write between admit and record did not land: the body's own length
 * fault, or what the object store said (its closed set of failures).
 */
export type WriteFailure =
	/** The body was shorter or longer than granted (its guard saw it, or HTTP framing did). */
	| "body-length"
	/** The store saw a length failure the body had no part in. */
	| "length-mismatch"
	/** The bytes did not match the declared SHA-256. */
	| "checksum-mismatch"
	/** The store no longer knows the multipart upload (aborted, or completed already). */
	| "aborted"
	/** No such object. */
	| "missing"
	/** The store is failing; retrying may help. */
	| "unavailable";

/** Every way a fenced write ends, in the order the fence meets them. */
export type FenceOutcome = "admit-refused" | "ok" | WriteFailure | "record-refused";

/** Writes that send bytes (a single PUT, a part) and the one that commits parts (complete). */
export type WriteKind = "body" | "commit";

/** The kind of a write op. */
export const kindOf = (op: "single-put" | "part-put" | "complete"): WriteKind =>
	op === "complete" ? "commit" : "body";

/**
 * What the uploader gets: the DO's own refusal as it stands (`refusal`:
 * the terminal row's 410 or 423, `upload-aborted`, `upload-state-conflict`,
 * …), nothing (`recorded`: the write stands), or this problem.
 */
export type FenceAnswer =
	| "refusal"
	| "recorded"
	| {
			code: ProblemCode;
			detail?: string;
			retryAfter?: number;
	  };

const LENGTH: FenceAnswer = {
	code: "length-mismatch",
	detail: "The body was shorter or longer than expected; nothing was recorded.",
};
const CHECKSUM: FenceAnswer = { code: "checksum-mismatch" };
const ABORTED: FenceAnswer = { code: "upload-aborted" };
const STORAGE: FenceAnswer = { code: "storage-unavailable", retryAfter: 1 };

/**
 * The table. A refusal wins over the write's outcome (the record check runs
 * first), and nothing is recorded but on `ok`. A complete sends no body, so
 * neither a length nor a checksum failure of it is the uploader's to fix:
 * every failure of a complete but a gone multipart upload is 503
 * `storage-unavailable` (docs/problems.md).
 */
export const FENCE_TABLE: Readonly<Record<FenceOutcome, Readonly<Record<WriteKind, FenceAnswer>>>> =
	{
		"admit-refused": { body: "refusal", commit: "refusal" },
		ok: { body: "recorded", commit: "recorded" },
		// A complete has no body, so it never meets the body's own fault.
		"body-length": { body: LENGTH, commit: LENGTH },
		"length-mismatch": { body: STORAGE, commit: STORAGE },
		"checksum-mismatch": { body: CHECKSUM, commit: STORAGE },
		aborted: { body: ABORTED, commit: ABORTED },
		missing: { body: STORAGE, commit: STORAGE },
		unavailable: { body: STORAGE, commit: STORAGE },
		"record-refused": { body: "refusal", commit: "refusal" },
	};

/**
 * The problem a fenced write that ended with `outcome` answers, or null when
 * it was recorded. `refusal` is the DO's own answer, for the two refusals.
 */
export function fenceProblem(
	outcome: FenceOutcome,
	kind: WriteKind,
	refusal?: Problem,
): Problem | null {
	const answer = FENCE_TABLE[outcome][kind];
	if (answer === "recorded") return null;
	if (answer === "refusal") return refusal ?? problem("internal-error");
	return problem(
		answer.code,
		answer.detail,
		answer.retryAfter ? { retryable: true, retryAfter: answer.retryAfter } : {},
	);
}
