/**
 * The `webhook-deliveries` consumer and its DLQ (docs/webhooks.md; message
 * shapes in src/queues/webhook-deliveries.ts).
 *
 * - `event`: stored in D1 (idempotent on the event id), then fanned out: one
 *   `delivery` message per target endpoint, then acked. Any failure retries
 *   the whole message: nothing is lost, and a second fan-out only sends
 *   duplicates that carry the same `webhook-id`.
 * - `delivery`: ./webhook-delivery.ts.
 *
 * Every message is acked or retried explicitly; bodies are validated first.
 */
import * as DeadLettersTable from "../d1/dead-letters";
import * as Endpoints from "../d1/webhook-endpoints";
import * as WebhookLog from "../d1/webhook-log";
import * as Redeliveries from "../d1/webhook-redeliveries";
import { receivesEvent } from "../domain/webhook-delivery";
import { errorField, logEvent } from "../lib/log";
import * as WebhookDeliveries from "../queues/webhook-deliveries";
import { validMessage } from "./commands";
import { deliver } from "./webhook-delivery";

/** Delay of a retry after a storage or queue failure (not a receiver's answer). */
const INTERNAL_RETRY_SECONDS = 10;

/** The parsed body, or null after logging, recording and acking an invalid one (shared with the command consumer). */
const validWebhookMessage = (env: Env, queue: string, msg: Message<unknown>) =>
	validMessage(env, queue, msg, WebhookDeliveries.WebhookMessage);

/**
 * The endpoints an event goes to (`receivesEvent`): among the owner's
 * enabled ones, or the one a test event was sent for.
 */
async function targetsOf(db: D1Database, event: WebhookDeliveries.WebhookEventMessage) {
	const candidates = event.onlyEndpointId
		? [await Endpoints.get(db, event.onlyEndpointId)]
		: await Endpoints.enabledOf(db, event.ownerId);
	const target = { ...event, type: event.payload.type };
	return candidates.filter(
		(e): e is Endpoints.EndpointRow => e !== null && receivesEvent(e, target, "fan-out"),
	);
}

/** Stores the event and sends one delivery message per target; throws on any failure. */
async function fanOut(env: Env, event: WebhookDeliveries.WebhookEventMessage): Promise<number> {
	await WebhookLog.insertEvent(env.DB, {
		id: event.id,
		ownerId: event.ownerId,
		linkId: event.linkId,
		type: event.payload.type,
		payload: JSON.stringify(event.payload),
		createdAt: new Date().toISOString(),
	});
	const targets = await targetsOf(env.DB, event);
	await WebhookDeliveries.sendBatch(
		env.WEBHOOK_DELIVERIES,
		targets.map((t) => WebhookDeliveries.deliveryMessage(event.id, t.id)),
	);
	return targets.length;
}

export async function handleWebhookBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
	await Promise.all(
		batch.messages.map(async (msg) => {
			const body = await validWebhookMessage(env, batch.queue, msg);
			if (!body) return;
			try {
				if (body.kind === "event") {
					const n = await fanOut(env, body);
					logEvent("webhook.event", { eventId: body.id, targets: n });
					msg.ack();
				} else {
					await deliver(env, batch.queue, msg, body);
				}
			} catch (error) {
				logEvent(
					"webhook.message-failed",
					{ messageId: msg.id, error: errorField(error) },
					"error",
				);
				msg.retry({ delaySeconds: INTERNAL_RETRY_SECONDS });
			}
		}),
	);
}

/**
 * The `webhook-deliveries-dlq` consumer: a message the queue gave up on (the
 * consumer kept failing on it) becomes a pending dead letter; an admin's
 * replay sends it again. A redelivery's message ends its pending row.
 */
export async function handleWebhookDeadLetterBatch(
	batch: MessageBatch<unknown>,
	env: Env,
): Promise<void> {
	for (const msg of batch.messages) {
		const body = await validWebhookMessage(env, batch.queue, msg);
		if (!body) continue;
		try {
			const linkId =
				body.kind === "event"
					? body.linkId
					: ((await WebhookLog.getEvent(env.DB, body.eventId))?.linkId ?? null);
			const what =
				body.kind === "event"
					? `Webhook event ${body.id} was never fanned out`
					: `Webhook ${body.eventId} to ${body.endpointId} was never delivered`;
			await DeadLettersTable.recordWebhook(env.DB, {
				messageId: msg.id,
				queue: batch.queue,
				linkId,
				body: msg.body,
				attempts: msg.attempts,
				lastError: `${what}: the consumer failed on every try of the queue.`,
			});
			// A redelivery the queue gave up on is no longer pending.
			if (body.kind === "delivery" && body.redeliveryId)
				await Redeliveries.end(env.DB, body.endpointId, body.eventId, body.redeliveryId);
			msg.ack();
		} catch (error) {
			logEvent(
				"webhook.dead-letter-not-recorded",
				{ messageId: msg.id, error: errorField(error) },
				"error",
			);
			msg.retry({ delaySeconds: INTERNAL_RETRY_SECONDS });
		}
	}
}
