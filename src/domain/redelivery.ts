/**
 * Redelivery rules (docs/webhooks.md "Redelivery and test events"): which
 * endpoint may get a stored event again, and how long a redelivery counts as
 * pending, so that one asked for meanwhile joins it instead of starting
 * another schedule. Pure: the clock is a parameter.
 */
import { WEBHOOK_TEST_EVENT_TYPE } from "../contract/enums";
import { takesType } from "./webhook-delivery";

/**
 * How long past its next planned attempt a pending redelivery still counts
 * (the queue may run a message late, or retry one its consumer failed on).
 * A redelivery whose message was lost without a trace stops blocking others
 * after this.
 */
export const REDELIVERY_LEASE_MARGIN_MS = 60 * 60_000;

/** Until when (epoch ms) a redelivery counts as pending, its next attempt `delaySeconds` from `nowMs`. */
export function redeliveryLeaseUntil(nowMs: number, delaySeconds = 0): number {
	return nowMs + delaySeconds * 1000 + REDELIVERY_LEASE_MARGIN_MS;
}

/** The endpoint a `webhook.test` event was sent for (its `data.endpointId`), from its stored body. */
export function testEventEndpoint(payload: string): string | null {
	try {
		const body = JSON.parse(payload) as { data?: { endpointId?: unknown } };
		const id = body.data?.endpointId;
		return typeof id === "string" ? id : null;
	} catch {
		return null;
	}
}

/**
 * Why `endpoint` may not get the stored `event` again, or null when it may.
 * It may when it had an attempt of the event (whatever its types are now);
 * a test event only to the endpoint it was sent for; any other event when
 * the endpoint takes its type (no types: every type) and was registered by
 * the time the event was stored, so it was one of the event's targets (or
 * would have been, had it been enabled then).
 */
export function redeliveryRefusal(
	endpoint: { id: string; eventTypes: readonly string[]; createdAt: string },
	event: { type: string; createdAt: string; payload: string },
	attempted: boolean,
): string | null {
	if (attempted) return null;
	if (event.type === WEBHOOK_TEST_EVENT_TYPE) {
		return testEventEndpoint(event.payload) === endpoint.id
			? null
			: "This test event was sent to another endpoint.";
	}
	if (!takesType(endpoint.eventTypes, event.type))
		return `This endpoint does not take ${event.type} events, and never had this one.`;
	if (endpoint.createdAt > event.createdAt)
		return "This endpoint was registered after the event, and never had it.";
	return null;
}
