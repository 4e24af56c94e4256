/**
 * Messages of the `webhook-deliveries` queue (docs/webhooks.md).
 *
 * - `event`: sent by a link's Durable Object from its event outbox after the
 *   transaction that recorded the event committed (at least once; the same
 *   event id every time). The consumer stores the event in D1
 *   (`webhook_events`, idempotent) and fans it out: one `delivery` message
 *   per enabled endpoint of the owner that takes this event type (only
 *   `onlyEndpointId` for a test event).
 * - `delivery`: one event to one endpoint. The consumer signs and POSTs it
 *   (Standard Webhooks), logs the attempt (`webhook_deliveries`), and on
 *   failure retries it with backoff (message.retry with a delay) until the
 *   schedule runs out, then disables the endpoint with the reason. A
 *   redelivery's message carries its `redeliveryId`, which stays pending
 *   (src/d1/webhook-redeliveries.ts) until the schedule ends.
 */
import * as v from "valibot";
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_TYPE } from "../contract/enums";

export const EVENT_ID = /^evt_[0-9a-z]{20,40}$/;
export const ENDPOINT_ID = /^whe_[0-9a-z]{20}$/;
export const REDELIVERY_ID = /^wrd_[0-9a-z]{20}$/;

/** The body every delivery of an event sends (Standard Webhooks payload shape). */
export const WebhookPayload = v.strictObject({
	type: v.picklist([...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_TYPE]),
	timestamp: v.string(),
	data: v.record(v.string(), v.unknown()),
});
export type WebhookPayload = v.InferOutput<typeof WebhookPayload>;

export const WebhookEventMessage = v.strictObject({
	v: v.literal(1),
	kind: v.literal("event"),
	id: v.pipe(v.string(), v.regex(EVENT_ID)),
	ownerId: v.string(),
	linkId: v.nullable(v.string()),
	payload: WebhookPayload,
	/** Deliver to this endpoint only, whatever its event types (a test event). */
	onlyEndpointId: v.optional(v.pipe(v.string(), v.regex(ENDPOINT_ID))),
});
export type WebhookEventMessage = v.InferOutput<typeof WebhookEventMessage>;

export const WebhookDeliveryMessage = v.strictObject({
	v: v.literal(1),
	kind: v.literal("delivery"),
	eventId: v.pipe(v.string(), v.regex(EVENT_ID)),
	endpointId: v.pipe(v.string(), v.regex(ENDPOINT_ID)),
	/** A redelivery's (src/d1/webhook-redeliveries.ts): pending until its schedule ends. */
	redeliveryId: v.optional(v.pipe(v.string(), v.regex(REDELIVERY_ID))),
});
export type WebhookDeliveryMessage = v.InferOutput<typeof WebhookDeliveryMessage>;

export const WebhookMessage = v.variant("kind", [WebhookEventMessage, WebhookDeliveryMessage]);
export type WebhookMessage = v.InferOutput<typeof WebhookMessage>;
