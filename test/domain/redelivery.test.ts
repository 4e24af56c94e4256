/** Which endpoint may get a stored event again, and how long a redelivery is pending (src/domain/redelivery.ts). */
import { describe, expect, it } from "vitest";
import {
	REDELIVERY_LEASE_MARGIN_MS,
	redeliveryLeaseUntil,
	redeliveryRefusal,
	testEventEndpoint,
} from "../../src/domain/redelivery";

const EVENT_AT = "2026-12-03T10:00:00.000Z";
const BEFORE = "2026-12-03T09:00:00.000Z";
const AFTER = "2026-12-03T10:00:00.001Z";

const endpoint = (o: { eventTypes?: string[]; createdAt?: string; id?: string } = {}) => ({
	id: o.id ?? "whe_aaaaaaaaaaaaaaaaaaaa",
	eventTypes: o.eventTypes ?? [],
	createdAt: o.createdAt ?? BEFORE,
});
const event = (type = "link.revoked", payload = "{}") => ({ type, createdAt: EVENT_AT, payload });
const testEvent = (endpointId: string) =>
	event("webhook.test", JSON.stringify({ type: "webhook.test", data: { endpointId } }));

describe("redelivery: which endpoint may get an event again", () => {
	it("lets an endpoint that had an attempt of it, whatever its types or age now", () => {
		expect(
			redeliveryRefusal(endpoint({ eventTypes: ["link.paused"], createdAt: AFTER }), event(), true),
		).toBeNull();
		expect(redeliveryRefusal(endpoint(), testEvent("whe_bbbbbbbbbbbbbbbbbbbb"), true)).toBeNull();
	});

	it("lets an endpoint that takes the type (or every type) and was registered by then", () => {
		expect(redeliveryRefusal(endpoint(), event(), false)).toBeNull();
		expect(
			redeliveryRefusal(endpoint({ eventTypes: ["link.revoked"] }), event(), false),
		).toBeNull();
		expect(redeliveryRefusal(endpoint({ createdAt: EVENT_AT }), event(), false)).toBeNull();
	});

	it("refuses one that does not take the type, one registered after the event, and another endpoint's test event", () => {
		expect(redeliveryRefusal(endpoint({ eventTypes: ["link.paused"] }), event(), false)).toMatch(
			/does not take link\.revoked events/,
		);
		expect(redeliveryRefusal(endpoint({ createdAt: AFTER }), event(), false)).toMatch(
			/registered after the event/,
		);
		expect(redeliveryRefusal(endpoint(), testEvent("whe_bbbbbbbbbbbbbbbbbbbb"), false)).toMatch(
			/another endpoint/,
		);
		expect(redeliveryRefusal(endpoint(), event("webhook.test", "not json"), false)).toMatch(
			/another endpoint/,
		);
	});

	it("lets a test event go again to the endpoint it was sent for, even one registered with no types for it", () => {
		const id = "whe_cccccccccccccccccccc";
		expect(
			redeliveryRefusal(endpoint({ id, eventTypes: ["link.paused"] }), testEvent(id), false),
		).toBeNull();
	});

	it("reads a test event's endpoint from its stored body", () => {
		expect(testEventEndpoint(JSON.stringify({ data: { endpointId: "whe_x" } }))).toBe("whe_x");
		for (const body of ["{}", '{"data":{"endpointId":7}}', "[", "null"])
			expect(testEventEndpoint(body), body).toBeNull();
	});
});

describe("redelivery: how long it counts as pending", () => {
	it("until an hour past its next planned attempt", () => {
		expect(REDELIVERY_LEASE_MARGIN_MS).toBe(3_600_000);
		expect(redeliveryLeaseUntil(1_000)).toBe(1_000 + 3_600_000);
		expect(redeliveryLeaseUntil(1_000, 300)).toBe(1_000 + 300_000 + 3_600_000);
	});
});
