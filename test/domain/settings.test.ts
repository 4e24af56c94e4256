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

	it("refuses a date that is not on the calendar instead of rolling it over", () => {
		for (const expiresAt of [
			"2031-02-30T00:00:00Z",
			"2031-02-29T00:00:00Z",
			"2031-04-31T12:00:00+02:00",
			"2031-13-01T00:00:00Z",
		]) {
			const merged = mergeSettings(DEFAULT_SETTINGS, { expiresAt }, now);
			expect(merged.ok, expiresAt).toBe(false);
			if (!merged.ok) expect(merged.problem.detail).toContain("no such date");
		}
		const leap = mergeSettings(DEFAULT_SETTINGS, { expiresAt: "2032-02-29T00:00:00Z" }, now);
		expect(leap.ok && leap.value.expiresAt).toBe("2032-02-29T00:00:00.000Z");
	});

	it("does not judge a stored expiry again when another field changes", () => {
		const stored = { ...DEFAULT_SETTINGS, expiresAt: "2263-01-01T00:00:00.000Z" };
		const merged = mergeSettings(stored, { maxFiles: 3 }, now);
		expect(merged.ok).toBe(true);
	});
});
