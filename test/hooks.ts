/**
 * Faults and races, injected into a live LinkDO through its test hooks
 * (src/do/hooks.ts). Production never installs hooks; tests do, with
 * `setFaults` (test/helpers.ts) or `installFaults` inside `runInDurableObject`.
 * Hooks live in memory: an eviction clears them.
 */
import type { HookPoint, LinkHooks } from "../src/do/hooks";
import type { LinkDO } from "../src/do/link-do";

/** Counts of failures to inject, and races to run. */
export interface Faults {
	/** Throw before running step `name`, this many times. */
	failStep?: Record<string, number>;
	/** Make this many queue sends fail. */
	failSend?: number;
	/** Make this many sends of webhook events fail. */
	failEventSend?: number;
	/** Make this many D1 writes of a dead letter (by the DO) fail. */
	failDeadLetterRecord?: number;
	/** Throw this many times before a command's transition is committed. */
	failApply?: number;
	/**
	 * The race the epoch exists for: apply a lifecycle change (as admin)
	 * between an upload's admit and its record. `at: "admit"` applies it as the
	 * admit answers (so the R2 write lands after the terminal cleanup ran);
	 * `at: "record"` as the record call arrives (the write landed before).
	 * `skip`: pass that many such points first (a tus creation admits and
	 * records its init before its first part).
	 */
	race?: { kind: "revoke" | "delete" | "pause"; at: "admit" | "record"; skip?: number };
	/**
	 * Runs `run` once, awaited, where finalize awaits something other than its
	 * own storage: `finalize-check` right after its R2 object check,
	 * `finalize-index` right after its D1 index write, `expired-session` after
	 * the sessions alarm ended one session (before it judges the next).
	 */
	pauseAt?: {
		at: "finalize-check" | "finalize-index" | "expired-session";
		run: () => Promise<void>;
	};
}

/** The hooks that inject `faults` into `instance` (the counts are used up as they fire). */
export function hooksFor(instance: LinkDO, faults: Faults): LinkHooks {
	const f: Faults = { ...faults, ...(faults.failStep ? { failStep: { ...faults.failStep } } : {}) };
	return {
		beforeSend() {
			if (!f.failSend) return;
			f.failSend--;
			throw new Error("injected queue send failure");
		},
		beforeEventSend() {
			if (!f.failEventSend) return;
			f.failEventSend--;
			throw new Error("injected webhook event send failure");
		},
		beforeDeadLetterRecord() {
			if (!f.failDeadLetterRecord) return;
			f.failDeadLetterRecord--;
			throw new Error("injected dead-letter record failure");
		},
		beforeApply() {
			if (!f.failApply) return;
			f.failApply--;
			throw new Error("injected failure before the transition");
		},
		beforeStep(name) {
			const left = f.failStep?.[name] ?? 0;
			if (left <= 0 || !f.failStep) return;
			f.failStep[name] = left - 1;
			throw new Error(`injected failure in step ${name}`);
		},
		at(point: HookPoint) {
			if (f.race?.at === point) {
				const { kind, skip = 0 } = f.race;
				if (skip > 0) {
					f.race = { ...f.race, skip: skip - 1 };
					return undefined;
				}
				f.race = undefined;
				return race(instance, kind);
			}
			if (f.pauseAt?.at === point) {
				const { run } = f.pauseAt;
				f.pauseAt = undefined;
				return run();
			}
			return undefined;
		},
	};
}

/** Installs `faults` on a live instance (inside `runInDurableObject`). */
export function installFaults(instance: LinkDO, faults: Faults): void {
	instance.hooks = hooksFor(instance, faults);
}

/** Applies a lifecycle change as admin, in the middle of another call. */
async function race(instance: LinkDO, kind: "revoke" | "delete" | "pause"): Promise<void> {
	if (kind === "pause") {
		await instance.pause({ kind: "admin" });
		return;
	}
	const accepted = await instance.requestCommand({ caller: { kind: "admin" }, kind });
	if (!accepted.ok) throw new Error(`race seam: ${accepted.problem.code}`);
	await instance.drain();
}
