/**
 * What every queue module's send shares. Messages go as JSON: the default of
 * `send` since the `queues_json_messages` compatibility flag (our
 * compatibility date is later), said explicitly so that every message of
 * every queue is stored the same way and reads back as plain JSON (a dead
 * letter keeps the body as JSON text, docs/storage.md).
 */

export const JSON_MESSAGES = { contentType: "json" } as const satisfies QueueSendOptions;

/** Cloudflare Queues take at most 100 messages per `sendBatch`. */
export const SEND_BATCH_MAX = 100;

/**
 * Sends `bodies` with `sendBatch`, SEND_BATCH_MAX at a time, in order; throws
 * on the first failed batch (the ones before it are sent).
 */
export async function sendInBatches(queue: Queue, bodies: readonly unknown[]): Promise<void> {
	for (let i = 0; i < bodies.length; i += SEND_BATCH_MAX) {
		await queue.sendBatch(
			bodies.slice(i, i + SEND_BATCH_MAX).map((body) => ({ body, ...JSON_MESSAGES })),
		);
	}
}
