/**
 * The webhook sink of a link's feed: each event becomes one `event` message
 * of the `webhook-deliveries` queue (docs/webhooks.md, "How an event
 * travels"), whose consumer stores it and fans it out to the owner's
 * endpoints. Acknowledged once the queue took the batch.
 */

import type { WebhookEventMessage } from "../../queues/webhook-deliveries";
import * as WebhookDeliveries from "../../queues/webhook-deliveries";
import type { LinkBindings } from "../bindings";
import type { FeedEvent, Sink } from "./sink";

/** The queue message of one event (src/queues/webhook-deliveries.ts). */
export function eventMessage(event: FeedEvent): WebhookEventMessage {
	return {
		v: 1,
		kind: "event",
		id: event.id,
		ownerId: event.ownerId,
		linkId: event.linkId,
		payload: event.payload,
	};
}

/** The sink's one queue send, through the queue's own module. */
async function sendEvents(env: LinkBindings, messages: WebhookEventMessage[]): Promise<void> {
	await WebhookDeliveries.sendBatch(env.WEBHOOK_DELIVERIES, messages);
}

export const webhookSink: Sink = {
	name: "webhooks",
	// A Queues sendBatch takes at most 100 messages.
	batch: 100,
	async deliver(events, { env, hooks }) {
		hooks.beforeEventSend?.();
		await sendEvents(env, events.map(eventMessage));
	},
};
