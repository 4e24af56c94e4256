/**
 * Test hooks: the points where a test may inject a failure or land another
 * call. Production never installs any (`NO_HOOKS`), and every call site is
 * written so that an absent hook costs neither an await nor an allocation:
 * `const p = hooks.at?.("admit"); if (p) await p;`. Tests install hooks on a
 * live instance through `runInDurableObject` (test/hooks.ts).
 */
import type { StepName } from "../contract/enums";

/** Where a test may pause an operation and run something else first. */
export type HookPoint =
	/** An upload's admit answered (its R2 write comes next). */
	| "admit"
	/** An upload's record call arrived (its R2 write is done). */
	| "record"
	/** Finalize checked the R2 object (its D1 write comes next). */
	| "finalize-check"
	/** Finalize wrote the D1 file index (its commit comes next). */
	| "finalize-index"
	/** The sessions alarm ended one expired session (the next one comes next). */
	| "expired-session";

export interface LinkHooks {
	/** Before each queue send; throwing makes the send fail. */
	beforeSend?(): void;
	/** Before each send of webhook events; throwing makes the send fail. */
	beforeEventSend?(): void;
	/** Before a terminal command's transition commits; throwing fails the apply. */
	beforeApply?(): void;
	/** Before each D1 write of a dead letter; throwing makes the write fail. */
	beforeDeadLetterRecord?(): void;
	/** Before a side-effect step runs; throwing fails the step. */
	beforeStep?(step: StepName): void;
	/** At `point`: a promise to await there, or undefined to go straight on. */
	at?(point: HookPoint): Promise<void> | undefined;
}

export const NO_HOOKS: LinkHooks = Object.freeze({});
