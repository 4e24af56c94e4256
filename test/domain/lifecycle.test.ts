import { describe, expect, it } from "vitest";
import {
	applyTransition,
	checkIfMatch,
	checkSettingsIfMatch,
	decide,
	etagOf,
	LINK_STATES,
	type Lifecycle,
	OPERATIONS,
	type Operation,
	PHASES,
	type Phase,
	parseIfMatch,
	phaseOf,
	TRANSITIONS,
} from "../../src/domain/lifecycle";

/**
 * The terminal-state table (docs/lifecycle.md#terminal-state-table),
 * transcribed independently of the implementation: the
 * answer each operation gets in each phase. "ok" is allow; "same" answers the
 * pending command; "recoverable"/"replay-only" are the conditional cells.
 */
const EXPECTED: Record<string, Record<Phase, string>> = {
	init: {
		active: "ok",
		paused: "link-paused",
		closing: "link-closing",
		revoked: "link-revoked",
		expired: "link-expired",
		deleted: "link-deleted",
	},
	abort: {
		active: "ok",
		paused: "ok",
		closing: "ok",
		revoked: "link-revoked",
		expired: "link-expired",
		deleted: "link-deleted",
	},
	finalize: {
		active: "ok",
		paused: "ok",
		closing: "ok",
		revoked: "recoverable",
		expired: "recoverable",
		deleted: "link-deleted",
	},
	"upload-status": {
		active: "ok",
		paused: "ok",
		closing: "ok",
		revoked: "ok",
		expired: "ok",
		deleted: "link-deleted",
	},
	pause: {
		active: "ok",
		paused: "ok",
		closing: "terminal-pending",
		revoked: "link-revoked",
		expired: "link-expired",
		deleted: "link-deleted",
	},
	revoke: {
		active: "ok",
		paused: "ok",
		closing: "same",
		revoked: "link-revoked",
		expired: "link-expired",
		deleted: "link-deleted",
	},
	delete: {
		active: "ok",
		paused: "ok",
		closing: "ok",
		revoked: "ok",
		expired: "ok",
		deleted: "replay-only",
	},
	settings: {
		active: "ok",
		paused: "ok",
		closing: "terminal-pending",
		revoked: "link-revoked",
		expired: "link-expired",
		deleted: "link-deleted",
	},
	"public-info": {
		active: "ok",
		paused: "ok",
		closing: "ok",
		revoked: "link-revoked",
		expired: "link-expired",
		deleted: "link-deleted",
	},
	"owner-read": {
		active: "ok",
		paused: "ok",
		closing: "ok",
		revoked: "ok",
		expired: "ok",
		deleted: "link-deleted",
	},
};
for (const op of ["single-put", "part-put", "complete"])
	EXPECTED[op] = EXPECTED.init as Record<Phase, string>;
EXPECTED.resume = EXPECTED.pause as Record<Phase, string>;

function label(op: Operation, phase: Phase): string {
	const o = decide(op, phase);
	switch (o.kind) {
		case "allow":
			return "ok";
		case "same-command":
			return "same";
		case "refuse":
			return o.code;
		default:
			return o.kind;
	}
}

describe("terminal-state table", () => {
	it("covers every operation", () => {
		expect(Object.keys(EXPECTED).sort()).toEqual([...OPERATIONS].sort());
	});

	for (const op of OPERATIONS) {
		for (const phase of PHASES) {
			it(`${op} in ${phase} answers ${EXPECTED[op]?.[phase]}`, () => {
				expect(label(op, phase)).toBe(EXPECTED[op]?.[phase]);
			});
		}
	}

	it("judges a terminal link by its state even when a command is pending", () => {
		expect(phaseOf("revoked", true)).toBe("revoked");
		expect(phaseOf("active", true)).toBe("closing");
		expect(phaseOf("paused", true)).toBe("closing");
		expect(phaseOf("paused", false)).toBe("paused");
	});
});

describe("epoch rules", () => {
	const at = (
		state: Lifecycle["state"],
		epoch = 5,
		terminalEpoch: number | null = null,
	): Lifecycle => ({
		state,
		epoch,
		terminalEpoch,
	});

	it("raises the epoch by exactly one per applied transition, and never on a no-op", () => {
		for (const state of LINK_STATES) {
			for (const t of TRANSITIONS) {
				const r = applyTransition(
					at(
						state,
						5,
						state === "revoked" || state === "expired" || state === "deleted" ? 4 : null,
					),
					t,
				);
				if (!r.ok) continue;
				expect(r.next.epoch).toBe(r.changed ? 6 : 5);
			}
		}
	});

	it("makes pause and resume idempotent", () => {
		const paused = applyTransition(at("paused"), "pause");
		expect(paused).toMatchObject({ ok: true, changed: false, next: { epoch: 5 } });
		const active = applyTransition(at("active"), "resume");
		expect(active).toMatchObject({ ok: true, changed: false, next: { epoch: 5 } });
	});

	it("sets terminalEpoch at the first terminal transition and keeps it", () => {
		const revoked = applyTransition(at("active"), "revoke");
		expect(revoked).toMatchObject({
			ok: true,
			next: { state: "revoked", epoch: 6, terminalEpoch: 6 },
		});
		if (!revoked.ok) throw new Error("unreachable");
		const deleted = applyTransition(revoked.next, "delete");
		expect(deleted).toMatchObject({
			ok: true,
			next: { state: "deleted", epoch: 7, terminalEpoch: 6 },
		});
	});

	it("keeps terminal states absorbing except for delete", () => {
		for (const state of ["revoked", "expired"] as const) {
			for (const t of ["pause", "resume", "revoke", "expire"] as const) {
				expect(applyTransition(at(state, 5, 5), t)).toEqual({ ok: false, code: `link-${state}` });
			}
			expect(applyTransition(at(state, 5, 5), "delete").ok).toBe(true);
		}
		for (const t of TRANSITIONS) {
			expect(applyTransition(at("deleted", 5, 5), t)).toEqual({ ok: false, code: "link-deleted" });
		}
	});
});

describe("If-Match", () => {
	const at = (epoch: number, settingsRevision = 1) => ({ epoch, settingsRevision });

	it("parses quoted epochs, full ETags, weak tags and *", () => {
		expect(parseIfMatch('"3"')).toEqual({ epoch: 3, settingsRevision: null });
		expect(parseIfMatch('W/"12"')).toEqual({ epoch: 12, settingsRevision: null });
		expect(parseIfMatch('"3.7"')).toEqual({ epoch: 3, settingsRevision: 7 });
		expect(parseIfMatch('W/"3.12"')).toEqual({ epoch: 3, settingsRevision: 12 });
		expect(parseIfMatch("*")).toBeUndefined();
		expect(parseIfMatch(undefined)).toBeUndefined();
	});

	it("rejects malformed values", () => {
		// '"1.5"' was malformed while the ETag was the bare epoch; it is now the full ETag form.
		for (const bad of [
			"3",
			'"0"',
			'"-1"',
			'"abc"',
			'""',
			'"1."',
			'".5"',
			'"1.0"',
			'"1.05"',
			'"1.5.2"',
			'"99999999999999999"',
			'"1.99999999999999999"',
		]) {
			expect(parseIfMatch(bad), bad).toBeNull();
		}
	});

	it("the ETag is epoch and settings revision, and parses back", () => {
		expect(etagOf(at(4, 2))).toBe('"4.2"');
		expect(parseIfMatch(etagOf(at(4, 2)))).toEqual({ epoch: 4, settingsRevision: 2 });
	});

	it("answers 412 epoch-mismatch for a stale epoch only (lifecycle calls ignore the revision)", () => {
		const ifm = (epoch: number, settingsRevision: number | null = null) => ({
			epoch,
			settingsRevision,
		});
		expect(checkIfMatch(at(4), ifm(4))).toBeUndefined();
		expect(checkIfMatch(at(4), undefined)).toBeUndefined();
		expect(checkIfMatch(at(4), ifm(3))).toMatchObject({
			code: "epoch-mismatch",
			status: 412,
			epoch: 4,
		});
		expect(checkIfMatch(at(4, 5), ifm(4, 2))).toBeUndefined();
		expect(checkIfMatch(at(4, 5), ifm(3, 5))).toMatchObject({
			code: "epoch-mismatch",
			extra: { etag: '"4.5"', settingsRevision: 5 },
		});
	});

	it("a settings PATCH compares the revision too when the full ETag is sent", () => {
		const v = at(4, 5);
		expect(checkSettingsIfMatch(v, undefined)).toBeUndefined();
		expect(checkSettingsIfMatch(v, { epoch: 4, settingsRevision: 5 })).toBeUndefined();
		// A bare epoch is the lifecycle-only form: it does not see settings changes.
		expect(checkSettingsIfMatch(v, { epoch: 4, settingsRevision: null })).toBeUndefined();
		expect(checkSettingsIfMatch(v, { epoch: 3, settingsRevision: null })).toMatchObject({
			code: "epoch-mismatch",
		});
		expect(
			checkSettingsIfMatch(v, { epoch: 4, settingsRevision: 4 }, { settings: { title: "x" } }),
		).toMatchObject({
			code: "settings-mismatch",
			status: 412,
			epoch: 4,
			extra: { etag: '"4.5"', settingsRevision: 5, settings: { title: "x" } },
		});
		// Both stale: the lifecycle change is named first.
		expect(checkSettingsIfMatch(v, { epoch: 3, settingsRevision: 4 })).toMatchObject({
			code: "epoch-mismatch",
		});
	});
});
