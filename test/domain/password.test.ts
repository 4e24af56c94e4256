import { describe, expect, it } from "vitest";
import {
	afterFailure,
	FREE_PASSWORD_FAILURES,
	MAX_PASSWORD_WAIT_MS,
	NO_ATTEMPTS,
	type PasswordAttempts,
	passwordWaitSeconds,
} from "../../src/domain/password";

const NOW = 1_000_000;

function fail(times: number, now = NOW): PasswordAttempts {
	let a = NO_ATTEMPTS;
	for (let i = 0; i < times; i++) a = afterFailure(a, now);
	return a;
}

describe("password guess limit", () => {
	it("the first failures are free", () => {
		const a = fail(FREE_PASSWORD_FAILURES);
		expect(a).toEqual({ failures: FREE_PASSWORD_FAILURES, waitUntil: null });
		expect(passwordWaitSeconds(a, NOW)).toBe(0);
	});

	it("then every failure waits twice as long as the one before: 1 s, 2 s, 4 s, 8 s", () => {
		const waits = [1, 2, 3, 4].map((n) =>
			passwordWaitSeconds(fail(FREE_PASSWORD_FAILURES + n), NOW),
		);
		expect(waits).toEqual([1, 2, 4, 8]);
	});

	it("waits are capped, however many failures", () => {
		expect(fail(1_000).waitUntil).toBe(NOW + MAX_PASSWORD_WAIT_MS);
		expect(passwordWaitSeconds(fail(1_000), NOW)).toBe(MAX_PASSWORD_WAIT_MS / 1000);
	});

	it("a wait ends at its time, rounded up to whole seconds before that", () => {
		const a: PasswordAttempts = { failures: 9, waitUntil: NOW + 1_500 };
		expect(passwordWaitSeconds(a, NOW)).toBe(2);
		expect(passwordWaitSeconds(a, NOW + 1_499)).toBe(1);
		expect(passwordWaitSeconds(a, NOW + 1_500)).toBe(0);
	});
});
