import { describe, expect, it } from "vitest";
import {
	DEFAULT_SETTINGS,
	latestExpiry,
	MAX_EXPIRY_YEARS,
	mergeSettings,
} from "../../src/domain/settings";

describe("expiresAt bounds", () => {
	const now = Date.parse("2030-06-15T12:00:00Z");

	it("accepts a future instant up to MAX_EXPIRY_YEARS ahead, normalized to ISO", () => {
		expect(latestExpiry(now)).toBe(Date.parse(`${2030 + MAX_EXPIRY_YEARS}-06-15T12:00:00Z`));
		const edge = new Date(latestExpiry(now)).toISOString();
		const merged = mergeSettings(DEFAULT_SETTINGS, { expiresAt: edge }, now);
		expect(merged.ok && merged.value.expiresAt).toBe(edge);
	});

	it("refuses the past, and anything after the bound, as validation-failed on expiresAt", () => {
		for (const expiresAt of [
			"2030-06-15T12:00:00Z",
			new Date(latestExpiry(now) + 1).toISOString(),
			"2263-01-01T00:00:00Z",
			"9999-12-31T23:59:59Z",
		]) {
			const merged = mergeSettings(DEFAULT_SETTINGS, { expiresAt }, now);
			expect(merged.ok).toBe(false);
			if (!merged.ok) {
				expect(merged.problem.code).toBe("validation-failed");
				expect(merged.problem.extra?.issues).toEqual([
					expect.objectContaining({ path: "expiresAt" }),
				]);
			}
		}
	});

	it("does not judge a stored expiry again when another field changes", () => {
		const stored = { ...DEFAULT_SETTINGS, expiresAt: "2263-01-01T00:00:00.000Z" };
		const merged = mergeSettings(stored, { maxFiles: 3 }, now);
		expect(merged.ok).toBe(true);
	});
});
