/**
 * The `webhook-deliveries` queue and its DLQ `webhook-deliveries-dlq`
 * (docs/webhooks.md "How an event travels"): the names, the message schemas,
 * the message builders and the sends. It is the contract between the link
 * DOs and the API, which send, and the consumer, which receives.
 *
 * - `event`: sent by a link's Durable Object from its event outbox after the
 *   transaction that recorded the event committed (at least once; the same
 *   event id every time), or by the API for a test event. The consumer stores
 *   the event in D1 (`webhook_events`, idempotent) and fans it out: one
 *   `delivery` message per target endpoint (src/domain/webhook-delivery.ts).
 * - `delivery`: one event to one endpoint. The consumer signs and POSTs it
 *   (Standard Webhooks), logs the attempt (`webhook_deliveries`), and on
 *   failure retries it with backoff (message.retry with a delay) until the
 *   schedule runs out. A redelivery's message carries its `redeliveryId`,
 *   which stays pending (src/d1/webhook-redeliveries.ts) until the schedule
 *   ends.
 */
import * as v from "valibot";
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_TYPE } from "../contract/enums";
import { JSON_MESSAGES, sendInBatches } from "./send";

/** The queue events and deliveries travel on (`wrangler.toml`). */
export const QUEUE = "webhook-deliveries";
/** Where the queue moves a message its consumer kept failing on (`wrangler.toml`). */
export const DLQ = "webhook-deliveries-dlq";
/** The producer binding of QUEUE (`wrangler.toml`, `Env`). */
export const BINDING = "WEBHOOK_DELIVERIES";

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

/** The delivery of `eventId` to `endpointId` (a redelivery's carries its id). */
export function deliveryMessage(
	eventId: string,
	endpointId: string,
	redeliveryId?: string,
): WebhookDeliveryMessage {
	return {
		v: 1,
		kind: "delivery",
		eventId,
		endpointId,
		...(redeliveryId !== undefined ? { redeliveryId } : {}),
	};
}

/** Sends one message to `webhook-deliveries` (`queue` is the `WEBHOOK_DELIVERIES` binding). */
export async function send(queue: Queue, message: WebhookMessage): Promise<void> {
	await queue.send(message, JSON_MESSAGES);
}

/** Sends `messages` to `webhook-deliveries` in order, 100 per batch; throws on the first failed batch. */
export async function sendBatch(queue: Queue, messages: readonly WebhookMessage[]): Promise<void> {
	await sendInBatches(queue, messages);
}
