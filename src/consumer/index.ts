/** Routes a queue batch to its consumer by queue name, with one log line per batch. */
import { logEvent } from "../lib/log";
import { handleCommandBatch } from "./commands";
import { handleDeadLetterBatch } from "./dead-letters";
import { handleWebhookBatch, handleWebhookDeadLetterBatch } from "./webhooks";

export const COMMAND_QUEUE = "link-commands";
export const DEAD_LETTER_QUEUE = "link-commands-dlq";
export const WEBHOOK_QUEUE = "webhook-deliveries";
export const WEBHOOK_DEAD_LETTER_QUEUE = "webhook-deliveries-dlq";

export async function queue(
	batch: MessageBatch<unknown>,
	env: Env,
	_ctx?: ExecutionContext,
): Promise<void> {
	const started = Date.now();
	const tally = { acked: 0, retried: 0 };
	let failed = false;
	try {
		await route(counted(batch, tally), env);
	} catch (error) {
		failed = true;
		throw error;
	} finally {
		logEvent(
			"queue.batch",
			{
				queue: batch.queue,
				messages: batch.messages.length,
				acked: tally.acked,
				retried: tally.retried,
				backlog: batch.metadata?.metrics?.backlogCount,
				threw: failed || undefined,
				durationMs: Date.now() - started,
			},
			failed ? "error" : "info",
		);
	}
}

function route(batch: MessageBatch<unknown>, env: Env): Promise<void> {
	if (batch.queue === DEAD_LETTER_QUEUE) return handleDeadLetterBatch(batch, env);
	if (batch.queue === COMMAND_QUEUE) return handleCommandBatch(batch, env);
	if (batch.queue === WEBHOOK_QUEUE) return handleWebhookBatch(batch, env);
	if (batch.queue === WEBHOOK_DEAD_LETTER_QUEUE) return handleWebhookDeadLetterBatch(batch, env);
	logEvent("queue.unknown", { queue: batch.queue, messages: batch.messages.length }, "error");
	batch.ackAll();
	return Promise.resolve();
}

/** `batch` with its acks and retries counted into `tally` (for the batch's log line). */
function counted(
	batch: MessageBatch<unknown>,
	tally: { acked: number; retried: number },
): MessageBatch<unknown> {
	const messages = batch.messages.map(
		(m): Message<unknown> => ({
			id: m.id,
			timestamp: m.timestamp,
			body: m.body,
			attempts: m.attempts,
			ack: () => {
				tally.acked++;
				m.ack();
			},
			retry: (options?: QueueRetryOptions) => {
				tally.retried++;
				m.retry(options);
			},
		}),
	);
	return {
		queue: batch.queue,
		metadata: batch.metadata,
		messages,
		ackAll: () => {
			tally.acked += messages.length;
			batch.ackAll();
		},
		retryAll: (options?: QueueRetryOptions) => {
			tally.retried += messages.length;
			batch.retryAll(options);
		},
	};
}
