import { describe, expect, it } from "vitest";
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_TYPE } from "../../src/contract/enums";
import {
	type DeliveryAnswer,
	type DeliveryAttempt,
	type DeliveryDecision,
	decideDelivery,
	GONE_REASON,
	persistentFailureReason,
	receivesEvent,
	takesType,
} from "../../src/domain/webhook-delivery";
import {
	DEFAULT_ROTATION_GRACE_SECONDS,
	DISABLE_AFTER_FAILURES,
	MAX_ATTEMPTS,
	MAX_DELAY_SECONDS,
	previousSecretUntil,
	RETRY_SCHEDULE_SECONDS,
} from "../../src/domain/webhooks";

const NOW = Date.parse("2026-12-03T10:00:00Z");
const ENDPOINT = { id: "whe_aaaaaaaaaaaaaaaaaaaa" };
const attempt = (number: number, random = 0.5): DeliveryAttempt => ({
	number,
	eventId: "evt_bbbbbbbbbbbbbbbbbbbbbbbbbb",
	eventType: "link.paused",
	random,
});
const answered = (status: number, retryAfter: string | null = null): DeliveryAnswer => ({
	kind: "answered",
	status,
	retryAfter,
});
const decide = (n: number, answer: DeliveryAnswer, random = 0.5) =>
	decideDelivery(attempt(n, random), ENDPOINT, NOW, answer);

/** The schedule's delay after failed attempt n, without jitter (random 0.5). */
const scheduled = (n: number) => RETRY_SCHEDULE_SECONDS[n - 1] ?? 0;

describe("which endpoints get an event", () => {
	const owner = "own_owner";
	const endpoint = (o: Partial<Parameters<typeof receivesEvent>[0]> = {}) => ({
		id: "whe_target",
		ownerId: owner,
		enabled: true,
		eventTypes: [] as string[],
		...o,
	});
	const event = (type = "link.paused", onlyEndpointId?: string) => ({
		ownerId: owner,
		type,
		...(onlyEndpointId ? { onlyEndpointId } : {}),
	});

	it("an endpoint takes the types it names, or every type when it names none", () => {
		expect(takesType([], "link.paused")).toBe(true);
		expect(takesType(["link.paused"], "link.paused")).toBe(true);
		expect(takesType(["upload.finalized"], "link.paused")).toBe(false);
	});

	it("at the fan-out: the owner's enabled endpoints that take the type", () => {
		for (const type of WEBHOOK_EVENT_TYPES) {
			expect(receivesEvent(endpoint(), event(type), "fan-out"), type).toBe(true);
			expect(receivesEvent(endpoint({ eventTypes: [type] }), event(type), "fan-out")).toBe(true);
		}
		expect(receivesEvent(endpoint({ eventTypes: ["upload.finalized"] }), event(), "fan-out")).toBe(
			false,
		);
		expect(receivesEvent(endpoint({ enabled: false }), event(), "fan-out")).toBe(false);
		expect(receivesEvent(endpoint({ ownerId: "own_other" }), event(), "fan-out")).toBe(false);
	});

	it("at the fan-out: a test event only to its own endpoint, whatever its types, and never without one", () => {
		const test = (only?: string) => event(WEBHOOK_TEST_EVENT_TYPE, only);
		const narrow = endpoint({ eventTypes: ["upload.finalized"] });
		expect(receivesEvent(narrow, test("whe_target"), "fan-out")).toBe(true);
		expect(receivesEvent(endpoint(), test("whe_other"), "fan-out")).toBe(false);
		expect(receivesEvent(endpoint(), test(), "fan-out")).toBe(false);
		expect(receivesEvent(endpoint({ enabled: false }), test("whe_target"), "fan-out")).toBe(false);
		expect(receivesEvent(endpoint({ ownerId: "own_x" }), test("whe_target"), "fan-out")).toBe(
			false,
		);
	});

	it("at delivery: only the owner's enabled endpoint, whatever its types now", () => {
		const narrow = endpoint({ eventTypes: ["upload.finalized"] });
		expect(receivesEvent(narrow, event(), "delivery")).toBe(true);
		expect(receivesEvent(endpoint(), event(WEBHOOK_TEST_EVENT_TYPE), "delivery")).toBe(true);
		expect(receivesEvent(endpoint({ enabled: false }), event(), "delivery")).toBe(false);
		expect(receivesEvent(endpoint({ ownerId: "own_other" }), event(), "delivery")).toBe(false);
	});
});

describe("what one delivery attempt comes to", () => {
	it("any 2xx is delivered, on every attempt", () => {
		for (const status of [200, 201, 202, 204, 299])
			for (let n = 1; n <= MAX_ATTEMPTS; n++)
				expect(decide(n, answered(status))).toEqual({ kind: "delivered", outcome: "delivered" });
	});

	it("410 disables the endpoint, on every attempt and whatever Retry-After says", () => {
		for (let n = 1; n <= MAX_ATTEMPTS; n++)
			expect(decide(n, answered(410, "60"))).toEqual({
				kind: "disable",
				outcome: "gone",
				reason: GONE_REASON,
			});
	});

	it("a URL refused at delivery disables the endpoint with the guard's reason", () => {
		expect(decide(3, { kind: "refused", reason: "The host is a private address." })).toEqual({
			kind: "disable",
			outcome: "refused",
			reason: "The URL was refused: The host is a private address.",
		});
	});

	it("any other status, a redirect, a timeout or a network error is retried on the schedule", () => {
		const failures: [DeliveryAnswer, string][] = [
			[answered(500), "HTTP 500"],
			[answered(503), "HTTP 503"],
			[answered(404), "HTTP 404"],
			[answered(429), "HTTP 429"],
			[answered(301), "HTTP 301"],
			[answered(302), "HTTP 302"],
			[answered(199), "HTTP 199"],
			[answered(300), "HTTP 300"],
			[{ kind: "no-answer", error: "timed out after 15 s" }, "timed out after 15 s"],
			[{ kind: "no-answer", error: "Error: connection refused" }, "Error: connection refused"],
		];
		for (const [answer, failure] of failures)
			for (let n = 1; n < MAX_ATTEMPTS; n++)
				expect(decide(n, answer), `${failure}, attempt ${n}`).toEqual({
					kind: "retry",
					outcome: "failed",
					delaySeconds: scheduled(n),
					failure,
				});
	});

	it("jitters the delay with the attempt's random number", () => {
		expect(decide(2, answered(500), 0)).toMatchObject({ delaySeconds: 240 });
		expect(decide(2, answered(500), 0.999999)).toMatchObject({ delaySeconds: 360 });
	});

	it("honours a longer Retry-After, in seconds or as an HTTP date, never beyond 12 hours", () => {
		expect(decide(1, answered(503, "120"))).toMatchObject({ kind: "retry", delaySeconds: 120 });
		expect(decide(1, answered(429, "Thu, 03 Dec 2026 11:00:00 GMT"))).toMatchObject({
			kind: "retry",
			delaySeconds: 3600,
		});
		expect(decide(1, answered(503, String(10 ** 7)))).toMatchObject({
			delaySeconds: MAX_DELAY_SECONDS,
		});
	});

	it("keeps the schedule when Retry-After asks for less, or cannot be read", () => {
		expect(decide(3, answered(503, "10"))).toMatchObject({ delaySeconds: scheduled(3) });
		expect(decide(3, answered(503, "Thu, 03 Dec 2026 09:00:00 GMT"))).toMatchObject({
			delaySeconds: scheduled(3),
		});
		expect(decide(3, answered(503, "soon"))).toMatchObject({ delaySeconds: scheduled(3) });
	});

	it("gives up after the eighth attempt, whatever Retry-After says, naming the event and the last failure", () => {
		const answers: [DeliveryAnswer, string][] = [
			[answered(500, "60"), "HTTP 500"],
			[{ kind: "no-answer", error: "timed out after 15 s" }, "timed out after 15 s"],
		];
		for (const [answer, failure] of answers) {
			const d = decide(MAX_ATTEMPTS, answer);
			expect(d).toEqual({
				kind: "give-up",
				outcome: "failed",
				failure,
				lastError: `Webhook evt_bbbbbbbbbbbbbbbbbbbbbbbbbb (link.paused) to ${ENDPOINT.id} failed ${MAX_ATTEMPTS} times; last: ${failure}`,
			} satisfies DeliveryDecision);
		}
		expect(decide(MAX_ATTEMPTS + 3, answered(500))).toMatchObject({ kind: "give-up" });
	});

	it("keeps at most 200 characters of a failure", () => {
		const d = decide(1, { kind: "no-answer", error: "x".repeat(300) });
		expect(d).toMatchObject({ kind: "retry", failure: "x".repeat(200) });
	});
});

describe("an endpoint that failed persistently", () => {
	const created = "2026-12-01T00:00:00Z";
	const day = 24 * 3600 * 1000;

	it("is disabled after a give-up when it failed 8 times in a row and delivered nothing for 24 hours", () => {
		const reason = persistentFailureReason(
			{ failures: DISABLE_AFTER_FAILURES, createdAt: created },
			null,
			NOW,
			"HTTP 503",
		);
		expect(reason).toBe(
			"Deliveries failed 8 times in a row and none succeeded for 24 hours (last: HTTP 503).",
		);
	});

	it("stays enabled with fewer failures in a row, or a delivery within 24 hours", () => {
		expect(
			persistentFailureReason({ failures: 7, createdAt: created }, null, NOW, "HTTP 503"),
		).toBeNull();
		const recent = new Date(NOW - day + 1000).toISOString();
		expect(
			persistentFailureReason({ failures: 12, createdAt: created }, recent, NOW, "HTTP 503"),
		).toBeNull();
		const young = new Date(NOW - 3600_000).toISOString();
		expect(
			persistentFailureReason({ failures: 12, createdAt: young }, null, NOW, "HTTP 503"),
		).toBeNull();
	});
});

describe("a rotated secret", () => {
	it("still signs for the grace asked for, a day unless the request says", () => {
		expect(DEFAULT_ROTATION_GRACE_SECONDS).toBe(86_400);
		expect(previousSecretUntil(NOW)).toBe(NOW + 86_400_000);
		expect(previousSecretUntil(NOW, undefined)).toBe(NOW + 86_400_000);
		expect(previousSecretUntil(NOW, 0)).toBe(NOW);
		expect(previousSecretUntil(NOW, 7 * 86_400)).toBe(NOW + 7 * 86_400_000);
	});
});
