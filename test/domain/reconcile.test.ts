import { describe, expect, it } from "vitest";
import {
	isStaleGeneration,
	overdueBefore,
	projectionDrift,
	splitBudget,
} from "../../src/domain/reconcile";

describe("reconciler decisions", () => {
	it("a message of an older replay generation is stale; the current or a newer one is not", () => {
		expect(isStaleGeneration(0, 1)).toBe(true);
		expect(isStaleGeneration(1, 1)).toBe(false);
		expect(isStaleGeneration(2, 1)).toBe(false);
	});

	it("rows sent before the instance started are overdue at once; later ones after the interval", () => {
		expect(overdueBefore(100_000, 99_000, 15_000)).toBe(99_000);
		expect(overdueBefore(100_000, 10_000, 15_000)).toBe(85_000);
	});

	it("the budget keeps at least one link (a fifth) for the full scan", () => {
		expect(splitBudget(50)).toEqual({ attention: 40, scanAtLeast: 10 });
		expect(splitBudget(2)).toEqual({ attention: 1, scanAtLeast: 1 });
		expect(splitBudget(1)).toEqual({ attention: 0, scanAtLeast: 1 });
	});

	it("names the drifted fields, or `missing` without a row", () => {
		const truth = { state: "active", epoch: 1, closing: false, title: "t", expiresAt: null };
		expect(projectionDrift(truth, truth)).toEqual([]);
		expect(projectionDrift({ ...truth, state: "revoked", closing: true }, truth)).toEqual([
			"state",
			"closing",
		]);
		expect(projectionDrift(null, truth)).toEqual(["missing"]);
	});
});
