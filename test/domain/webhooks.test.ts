import { describe, expect, it } from "vitest";
import {
	DEFAULT_WEBHOOK_SENDS_PER_MINUTE,
	endpointUrlKey,
	MAX_ATTEMPTS,
	MAX_DELAY_SECONDS,
	nextDelaySeconds,
	outcomeOfStatus,
	persistentlyFailing,
	RETRY_SCHEDULE_SECONDS,
	retryAfterSeconds,
	webhookSendsPerMinute,
} from "../../src/domain/webhooks";

describe("webhook retry schedule", () => {
	it("is the Standard Webhooks schedule: 8 attempts over about 27.5 hours", () => {
		expect(MAX_ATTEMPTS).toBe(8);
		expect(RETRY_SCHEDULE_SECONDS).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
		const total = RETRY_SCHEDULE_SECONDS.reduce((a, b) => a + b, 0);
		expect(total / 3600).toBeCloseTo(27.6, 1);
	});

	it("jitters each delay by at most 20 % either way", () => {
		for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) {
			const base = RETRY_SCHEDULE_SECONDS[attempt - 1] ?? 0;
			expect(nextDelaySeconds(attempt, 0)).toBe(Math.round(base * 0.8));
			expect(nextDelaySeconds(attempt, 0.5)).toBe(base);
			expect(nextDelaySeconds(attempt, 0.999999)).toBe(Math.round(base * 1.2));
		}
	});

	it("runs out after the eighth attempt", () => {
		expect(nextDelaySeconds(MAX_ATTEMPTS, 0.5)).toBeNull();
		expect(nextDelaySeconds(MAX_ATTEMPTS + 5, 0.5, 60)).toBeNull();
		expect(nextDelaySeconds(0, 0.5)).toBeNull();
	});

	it("waits for a longer Retry-After, never beyond 12 hours", () => {
		expect(nextDelaySeconds(1, 0.5, 120)).toBe(120);
		expect(nextDelaySeconds(1, 0.5, 2)).toBe(5);
		expect(nextDelaySeconds(1, 0.5, 10 ** 7)).toBe(MAX_DELAY_SECONDS);
		// 10 h * 1.2 would exceed the queue's maximum delay.
		expect(nextDelaySeconds(7, 0.999999)).toBe(MAX_DELAY_SECONDS);
	});
});

describe("Retry-After", () => {
	const now = Date.parse("2026-12-03T10:00:00Z");
	it("reads delta-seconds and HTTP dates", () => {
		expect(retryAfterSeconds("120", now)).toBe(120);
		expect(retryAfterSeconds(" 0 ", now)).toBe(0);
		expect(retryAfterSeconds("Thu, 03 Dec 2026 11:00:00 GMT", now)).toBe(3600);
		expect(retryAfterSeconds("Thu, 03 Dec 2026 09:00:00 GMT", now)).toBe(0);
	});
	it("ignores what it cannot read", () => {
		expect(retryAfterSeconds(null, now)).toBeNull();
		expect(retryAfterSeconds("soon", now)).toBeNull();
		expect(retryAfterSeconds("-5", now)).toBeNull();
	});
});

describe("attempt outcomes", () => {
	it("2xx delivers, 410 is gone, everything else (3xx included) fails", () => {
		expect([200, 202, 204, 299].map(outcomeOfStatus)).toEqual(Array(4).fill("delivered"));
		expect(outcomeOfStatus(410)).toBe("gone");
		expect([301, 302, 307, 400, 404, 429, 500, 503].map(outcomeOfStatus)).toEqual(
			Array(8).fill("failed"),
		);
	});
});

describe("persistent failure", () => {
	const now = Date.parse("2026-12-03T10:00:00Z");
	const old = "2026-11-01T00:00:00Z";
	it("disables after 8 failures in a row and nothing delivered for 24 hours", () => {
		expect(persistentlyFailing({ failures: 8, createdAt: old }, null, now)).toBe(true);
		expect(persistentlyFailing({ failures: 8, createdAt: old }, "2026-12-02T09:59:59Z", now)).toBe(
			true,
		);
	});
	it("keeps an endpoint that delivered within 24 hours, failed less, or is new", () => {
		expect(persistentlyFailing({ failures: 8, createdAt: old }, "2026-12-02T10:00:01Z", now)).toBe(
			false,
		);
		expect(persistentlyFailing({ failures: 7, createdAt: old }, null, now)).toBe(false);
		expect(
			persistentlyFailing({ failures: 20, createdAt: "2026-12-03T00:00:00Z" }, null, now),
		).toBe(false);
	});
});

describe("the URL an endpoint is compared by", () => {
	it("is the parser's href without the fragment, so spellings of one URL compare equal", () => {
		const key = "https://receiver.example/hook";
		for (const url of [
			"https://receiver.example/hook",
			"HTTPS://Receiver.EXAMPLE:443/hook",
			"https://receiver.example/hook#a",
			"https://receiver.example/hook#",
		])
			expect(endpointUrlKey(url), url).toBe(key);
		expect(endpointUrlKey("https://[::ffff:8.8.8.8]/")).toBe("https://[::ffff:808:808]/");
		expect(endpointUrlKey("https://example.com")).toBe("https://example.com/");
	});

	it("keeps paths, queries, ports and the case of the path apart", () => {
		const keys = [
			"https://receiver.example/hook",
			"https://receiver.example/Hook",
			"https://receiver.example/hook/",
			"https://receiver.example/hook?x=1",
			"https://receiver.example:8443/hook",
			"https://other.example/hook",
		].map(endpointUrlKey);
		expect(new Set(keys).size).toBe(keys.length);
	});
});

describe("the per-owner send limit", () => {
	it("reads WEBHOOK_SENDS_PER_MINUTE as a whole number of at least 1, else the default of 30", () => {
		expect(DEFAULT_WEBHOOK_SENDS_PER_MINUTE).toBe(30);
		expect(webhookSendsPerMinute("5")).toBe(5);
		expect(webhookSendsPerMinute("1")).toBe(1);
		for (const bad of [undefined, "", "0", "-3", "2.5", "many", 7])
			expect(webhookSendsPerMinute(bad), String(bad)).toBe(30);
	});
});
