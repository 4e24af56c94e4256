/** Fixed-window rate limits (src/domain/rate-limit.ts). */
import { describe, expect, it } from "vitest";
import { rateLimitWaitSeconds, windowStartOf } from "../../src/domain/rate-limit";

const MINUTE = 60_000;

describe("fixed windows", () => {
	it("start at multiples of the window", () => {
		expect(windowStartOf(0, MINUTE)).toBe(0);
		expect(windowStartOf(59_999, MINUTE)).toBe(0);
		expect(windowStartOf(60_000, MINUTE)).toBe(60_000);
		expect(windowStartOf(1_764_756_012_345, MINUTE)).toBe(1_764_756_000_000);
	});

	it("let a request through while its count is within the limit", () => {
		for (const count of [1, 29, 30])
			expect(rateLimitWaitSeconds({ count, windowStart: 0 }, 30, MINUTE, 10_000)).toBe(0);
	});

	it("make one over the limit wait until the window ends, at least 1 s", () => {
		expect(rateLimitWaitSeconds({ count: 31, windowStart: 0 }, 30, MINUTE, 10_000)).toBe(50);
		expect(rateLimitWaitSeconds({ count: 31, windowStart: 0 }, 30, MINUTE, 10_500)).toBe(50);
		expect(rateLimitWaitSeconds({ count: 99, windowStart: 0 }, 30, MINUTE, 0)).toBe(60);
		expect(rateLimitWaitSeconds({ count: 2, windowStart: 0 }, 1, MINUTE, 59_999)).toBe(1);
		// A count of a later window (another request moved the row on) waits for that one.
		expect(rateLimitWaitSeconds({ count: 2, windowStart: MINUTE }, 1, MINUTE, 59_000)).toBe(61);
	});
});
