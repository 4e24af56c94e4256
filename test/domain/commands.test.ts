import { describe, expect, it } from "vitest";
import { isFinal } from "../../src/contract/enums";
import { acceptTerminal, type PendingCommand, retryDelaySeconds } from "../../src/domain/commands";

const revokeWaiting: PendingCommand = { id: "c1", kind: "revoke", applied: false };
const deleteWaiting: PendingCommand = { id: "c2", kind: "delete", applied: false };

describe("accepting terminal commands", () => {
	it("creates a new command on a live link", () => {
		for (const state of ["active", "paused"] as const) {
			expect(acceptTerminal("revoke", state, [])).toEqual({ kind: "new" });
			expect(acceptTerminal("delete", state, [])).toEqual({ kind: "new" });
			expect(acceptTerminal("expire", state, [])).toEqual({ kind: "new" });
		}
	});

	it("answers a revoke while closing with the pending terminal command", () => {
		expect(acceptTerminal("revoke", "active", [revokeWaiting])).toEqual({
			kind: "existing",
			commandId: "c1",
		});
		expect(acceptTerminal("revoke", "active", [deleteWaiting])).toEqual({
			kind: "existing",
			commandId: "c2",
		});
	});

	it("queues a delete behind a pending revoke, and dedupes a pending delete", () => {
		expect(acceptTerminal("delete", "active", [revokeWaiting])).toEqual({ kind: "new" });
		expect(acceptTerminal("delete", "active", [revokeWaiting, deleteWaiting])).toEqual({
			kind: "existing",
			commandId: "c2",
		});
		expect(acceptTerminal("delete", "revoked", [deleteWaiting])).toEqual({
			kind: "existing",
			commandId: "c2",
		});
	});

	it("accepts delete on revoked and expired links, refuses everything on deleted ones", () => {
		expect(acceptTerminal("delete", "revoked", [])).toEqual({ kind: "new" });
		expect(acceptTerminal("delete", "expired", [])).toEqual({ kind: "new" });
		for (const kind of ["revoke", "delete", "expire"] as const) {
			expect(acceptTerminal(kind, "deleted", [])).toEqual({ kind: "refuse", code: "link-deleted" });
		}
		expect(acceptTerminal("revoke", "expired", [])).toEqual({
			kind: "refuse",
			code: "link-expired",
		});
	});

	it("does not expire a link that is already closing", () => {
		expect(acceptTerminal("expire", "active", [revokeWaiting])).toEqual({
			kind: "existing",
			commandId: "c1",
		});
	});
});

describe("statuses and backoff", () => {
	it("treats succeeded, rejected and cancelled as final; dead_lettered is not", () => {
		expect(["succeeded", "rejected", "cancelled"].every((s) => isFinal(s as never))).toBe(true);
		expect(["accepted", "applying", "dead_lettered"].some((s) => isFinal(s as never))).toBe(false);
	});

	it("backs off exponentially, capped at 300 s", () => {
		expect([1, 2, 3, 4, 5].map((a) => retryDelaySeconds(a, 2))).toEqual([2, 4, 8, 16, 32]);
		expect(retryDelaySeconds(20, 2)).toBe(300);
		expect(retryDelaySeconds(0, 2)).toBe(2);
		expect(retryDelaySeconds(3, 0)).toBe(0);
	});
});
