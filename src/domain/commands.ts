/**
 * Commands: the durable, queued, per-link ordered operations (docs/commands.md).
 * Pure rules: kinds, statuses, which command an accept request maps to, the
 * side-effect steps of each kind, and the retry backoff.
 */
import { type CommandKind, type CommandStatus, isFinal, type StepName } from "../contract/enums";
import {
	decide,
	isTerminal,
	type LinkState,
	type Phase,
	phaseOf,
	TERMINAL_CODE,
	type Transition,
} from "./lifecycle";
import type { ProblemCode } from "./problems";

export type TerminalKind = Exclude<CommandKind, "finalize">;

export function isTerminalKind(kind: CommandKind): kind is TerminalKind {
	return kind !== "finalize";
}

export const TRANSITION_OF: Record<TerminalKind, Transition> = {
	revoke: "revoke",
	delete: "delete",
	expire: "expire",
};

/**
 * Side effects run after a terminal transition is committed, in order, each
 * idempotent and recorded as done, so a retry resumes where the last stopped.
 * `cleanup-uploads` aborts open uploads and settles completed ones (upload layer);
 * `purge-objects` empties the link's R2 prefix; `purge-index` removes its files
 * from D1; `project` updates the D1 link index.
 */
export const STEPS: Record<TerminalKind, readonly StepName[]> = {
	revoke: ["cleanup-uploads", "project"],
	expire: ["cleanup-uploads", "project"],
	delete: ["cleanup-uploads", "purge-objects", "purge-index", "project"],
};

/** A command not yet final, as the accept decision sees it. */
/** The `result` of a terminal command that succeeded. */
export const RESULT_OF: Record<TerminalKind, string> = {
	revoke: "revoked",
	expire: "expired",
	delete: "deleted",
};

/** The terminal command kind that puts a link in `state` (for the sweep of a terminal link). */
export function terminalKindOf(state: "revoked" | "expired" | "deleted"): TerminalKind {
	return state === "deleted" ? "delete" : state === "expired" ? "expire" : "revoke";
}

export interface PendingCommand {
	id: string;
	kind: CommandKind;
	/** Whether its lifecycle transition is already applied. */
	applied: boolean;
}

export type AcceptDecision =
	| { kind: "new" }
	| { kind: "existing"; commandId: string }
	| { kind: "refuse"; code: ProblemCode };

/**
 * What a request to issue a terminal command gets, given the link's state and
 * its commands not yet final. A pending command of the same kind is returned
 * as is (idempotent); a revoke while another terminal command waits returns
 * that command (the link is closing either way).
 */
export function acceptTerminal(
	kind: TerminalKind,
	state: LinkState,
	pending: readonly PendingCommand[],
): AcceptDecision {
	const waiting = pending.filter((c) => isTerminalKind(c.kind) && !c.applied);
	const phase: Phase = phaseOf(state, waiting.length > 0);
	const same = pending.find((c) => c.kind === kind);
	if (kind === "expire") {
		// The system expires a link only when nothing terminal is under way.
		if (isTerminal(state)) return { kind: "refuse", code: TERMINAL_CODE[state] };
		if (same) return { kind: "existing", commandId: same.id };
		if (waiting[0]) return { kind: "existing", commandId: waiting[0].id };
		return { kind: "new" };
	}
	const outcome = decide(kind, phase);
	switch (outcome.kind) {
		case "refuse":
			return outcome;
		case "replay-only":
			return { kind: "refuse", code: "link-deleted" };
		case "same-command": {
			const target = same ?? waiting[0];
			return target ? { kind: "existing", commandId: target.id } : { kind: "new" };
		}
		default:
			return same ? { kind: "existing", commandId: same.id } : { kind: "new" };
	}
}

/** Exponential backoff for queue retries: base * 2^(attempts-1), capped at 5 minutes. */
export function retryDelaySeconds(attempts: number, baseSeconds: number): number {
	const n = Math.max(1, Math.floor(attempts));
	return Math.min(300, Math.round(baseSeconds * 2 ** (n - 1)));
}

/** How long a client should wait before polling a command again. */
export function pollAfterSeconds(status: CommandStatus, configured: number): number | undefined {
	return isFinal(status) ? undefined : configured;
}
