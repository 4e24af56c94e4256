/**
 * The pure lifecycle model of a receive link: states, the epoch rules, and the
 * terminal-state table (docs/lifecycle.md#terminal-state-table) expressed once, as data.
 * Everything that decides "may this happen?" for a link's lifecycle lives here.
 */
import {
	LINK_STATES,
	type LinkState,
	PHASES,
	type Phase,
	TERMINAL_STATES,
	type TerminalState,
} from "../contract/enums";
import { type Problem, type ProblemCode, problem } from "./problems";

export { LINK_STATES, type LinkState, PHASES, type Phase, TERMINAL_STATES, type TerminalState };

export function isTerminal(state: LinkState): state is TerminalState {
	return (TERMINAL_STATES as readonly string[]).includes(state);
}

/**
 * The phase an operation is judged in. A terminal state wins over a pending
 * command (a revoked link with a delete pending still answers as revoked).
 */
export function phaseOf(state: LinkState, terminalPending: boolean): Phase {
	if (isTerminal(state)) return state;
	return terminalPending ? "closing" : state;
}

/** The stable problem code a terminal state answers with. */
export const TERMINAL_CODE: Record<TerminalState, ProblemCode> = {
	revoked: "link-revoked",
	expired: "link-expired",
	deleted: "link-deleted",
};

export const OPERATIONS = [
	"init",
	"single-put",
	"part-put",
	"complete",
	"abort",
	"finalize",
	"upload-status",
	"pause",
	"resume",
	"revoke",
	"delete",
	"settings",
	"public-info",
	"owner-read",
] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * What an operation gets in a phase.
 * - `allow`: proceed (the operation itself may still be a no-op, e.g. pausing a paused link);
 * - `same-command`: answer 202 with the pending terminal command (revoke while closing);
 * - `recoverable`: finalize after revoke/expire, allowed only for a finalization-pending upload;
 * - `replay-only`: delete of a deleted link, 202 only for an Idempotency-Key replay of the same command;
 * - `refuse`: answer the problem `code`.
 */
export type Outcome =
	| { kind: "allow" }
	| { kind: "same-command" }
	| { kind: "recoverable" }
	| { kind: "replay-only" }
	| { kind: "refuse"; code: ProblemCode };

const allow: Outcome = { kind: "allow" };
const refuse = (code: ProblemCode): Outcome => ({ kind: "refuse", code });
const gone = (state: TerminalState): Outcome => refuse(TERMINAL_CODE[state]);
const row = (
	active: Outcome,
	paused: Outcome,
	closing: Outcome,
	revokedOrExpired: (s: "revoked" | "expired") => Outcome,
	deleted: Outcome,
): Record<Phase, Outcome> => ({
	active,
	paused,
	closing,
	revoked: revokedOrExpired("revoked"),
	expired: revokedOrExpired("expired"),
	deleted,
});

const ingest = row(allow, refuse("link-paused"), refuse("link-closing"), gone, gone("deleted"));

/** The terminal-state table, row by row; docs/lifecycle.md#terminal-state-table carries it too. */
export const TERMINAL_STATE_TABLE: Record<Operation, Record<Phase, Outcome>> = {
	init: ingest,
	"single-put": ingest,
	"part-put": ingest,
	complete: ingest,
	abort: row(allow, allow, allow, gone, gone("deleted")),
	finalize: row(allow, allow, allow, () => ({ kind: "recoverable" }), gone("deleted")),
	"upload-status": row(allow, allow, allow, () => allow, gone("deleted")),
	pause: row(allow, allow, refuse("terminal-pending"), gone, gone("deleted")),
	resume: row(allow, allow, refuse("terminal-pending"), gone, gone("deleted")),
	revoke: row(allow, allow, { kind: "same-command" }, gone, gone("deleted")),
	delete: row(allow, allow, allow, () => allow, { kind: "replay-only" }),
	// Not in the original contract's table; chosen to match pause/resume (settings are a
	// synchronous owner call). docs/lifecycle.md#differences-from-designmd
	settings: row(allow, allow, refuse("terminal-pending"), gone, gone("deleted")),
	// Uploaders see a paused or closing link's info (with its state); a terminal link is gone.
	"public-info": row(allow, allow, allow, gone, gone("deleted")),
	// Owners keep reading revoked and expired links (history, files); a deleted link is a tombstone.
	"owner-read": row(allow, allow, allow, () => allow, gone("deleted")),
};

/** What `operation` gets in `phase`. */
export function decide(operation: Operation, phase: Phase): Outcome {
	return TERMINAL_STATE_TABLE[operation][phase];
}

/** The problem for a refusal, with its retry hints (docs/lifecycle.md#refusal-bodies). */
export function refusal(code: ProblemCode, epoch: number, retryAfterSeconds = 1): Problem {
	const retryable = code === "link-closing" || code === "link-paused";
	return problem(code, undefined, {
		epoch,
		retryable,
		...(code === "link-closing" ? { retryAfter: retryAfterSeconds } : {}),
	});
}

/** The authoritative lifecycle fields of a link. */
export interface Lifecycle {
	state: LinkState;
	/** 1 at creation, +1 on every applied transition. */
	epoch: number;
	/** The epoch at which the link first became terminal; null until then. */
	terminalEpoch: number | null;
}

export const TRANSITIONS = ["pause", "resume", "revoke", "expire", "delete"] as const;
export type Transition = (typeof TRANSITIONS)[number];

export const TRANSITION_TARGET: Record<Transition, LinkState> = {
	pause: "paused",
	resume: "active",
	revoke: "revoked",
	expire: "expired",
	delete: "deleted",
};

export function initialLifecycle(): Lifecycle {
	return { state: "active", epoch: 1, terminalEpoch: null };
}

/**
 * Applies a transition to a lifecycle. Pure.
 * - A transition to the state the link is already in is a no-op (`changed: false`, epoch kept):
 *   that is what makes pause/resume idempotent.
 * - Otherwise the epoch rises by exactly one; the first terminal transition sets `terminalEpoch`.
 * - A terminal link accepts only `delete` (until it is deleted).
 */
export function applyTransition(
	current: Lifecycle,
	transition: Transition,
): { ok: true; changed: boolean; next: Lifecycle } | { ok: false; code: ProblemCode } {
	const target = TRANSITION_TARGET[transition];
	if (isTerminal(current.state) && !(transition === "delete" && current.state !== "deleted")) {
		return { ok: false, code: TERMINAL_CODE[current.state] };
	}
	if (current.state === target) return { ok: true, changed: false, next: current };
	const epoch = current.epoch + 1;
	const terminalEpoch = isTerminal(target)
		? (current.terminalEpoch ?? epoch)
		: current.terminalEpoch;
	return { ok: true, changed: true, next: { state: target, epoch, terminalEpoch } };
}

/**
 * What a link's ETag validates: the lifecycle epoch, and the settings revision
 * (1 at creation, +1 on every applied settings PATCH). The epoch keeps its
 * meaning (lifecycle transitions only); the revision makes the validator change
 * with every settings change.
 */
export interface Validator {
	epoch: number;
	settingsRevision: number;
}

/** A parsed `If-Match`: the epoch, and the settings revision when the full ETag was sent. */
export interface IfMatch {
	epoch: number;
	/** Null for a bare `"<epoch>"` (the lifecycle-only form). */
	settingsRevision: number | null;
}

/** The link's ETag: `"<epoch>.<settingsRevision>"`. */
export function etagOf(v: Validator): string {
	return `"${v.epoch}.${v.settingsRevision}"`;
}

/**
 * Parses an `If-Match` header value. Accepts the full ETag
 * `"<epoch>.<settingsRevision>"`, the bare `"<epoch>"`, either weak (`W/`), and
 * `*`. Numbers are 1 to 15 digits without a leading zero. Returns undefined when
 * absent or `*`, null when malformed.
 */
export function parseIfMatch(header: string | undefined | null): IfMatch | undefined | null {
	if (header === undefined || header === null) return undefined;
	const value = header.trim();
	if (value === "*") return undefined;
	const m = /^(?:W\/)?"([1-9][0-9]{0,14})(?:\.([1-9][0-9]{0,14}))?"$/.exec(value);
	if (!m?.[1]) return null;
	return { epoch: Number(m[1]), settingsRevision: m[2] ? Number(m[2]) : null };
}

/** The validator as it appears in a 412: the current ETag, epoch and settings revision. */
function current(v: Validator) {
	return { epoch: v.epoch, extra: { etag: etagOf(v), settingsRevision: v.settingsRevision } };
}

/**
 * Optimistic concurrency for lifecycle calls (pause, resume, revoke, delete):
 * only the epoch is compared, whichever form was sent (`"3"` or `"3.7"`); a
 * stale one is `412 epoch-mismatch`.
 */
export function checkIfMatch(v: Validator, ifMatch: IfMatch | undefined): Problem | undefined {
	if (ifMatch === undefined || ifMatch.epoch === v.epoch) return undefined;
	return problem(
		"epoch-mismatch",
		`The link is at epoch ${v.epoch}, not ${ifMatch.epoch}.`,
		current(v),
	);
}

/**
 * Optimistic concurrency for a settings PATCH. The epoch first (a stale one is
 * `412 epoch-mismatch`), then, when the full ETag was sent, the settings
 * revision: a stale one is `412 settings-mismatch`, carrying the current ETag,
 * revision and `shown` (the current settings) so a dashboard can show the
 * conflict. A bare `"<epoch>"` checks the epoch only (the lifecycle-only form:
 * it does not protect against a concurrent settings edit).
 */
export function checkSettingsIfMatch(
	v: Validator,
	ifMatch: IfMatch | undefined,
	shown: Record<string, unknown> = {},
): Problem | undefined {
	const stale = checkIfMatch(v, ifMatch);
	if (stale || ifMatch === undefined) return stale;
	if (ifMatch.settingsRevision === null || ifMatch.settingsRevision === v.settingsRevision)
		return undefined;
	const c = current(v);
	return problem(
		"settings-mismatch",
		`The link's settings are at revision ${v.settingsRevision}, not ${ifMatch.settingsRevision}.`,
		{ ...c, extra: { ...c.extra, ...shown } },
	);
}
