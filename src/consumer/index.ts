/**
 * Routes a queue batch to its consumer by the queue's exact name (the
 * registry below, one entry per queue of src/queues), with one log line per
 * batch. A queue nobody consumes is logged as an error and its batch acked.
 */
import { logEvent } from "../lib/log";
import type { QueueName } from "../queues";
import * as LinkCommands from "../queues/link-commands";
import * as WebhookDeliveries from "../queues/webhook-deliveries";
import { handleCommandBatch } from "./commands";
import { handleDeadLetterBatch } from "./dead-letters";
import { handleWebhookBatch, handleWebhookDeadLetterBatch } from "./webhooks";

type BatchHandler = (batch: MessageBatch<unknown>, env: Env) => Promise<void>;

/** The consumer of each queue (a `Record` over every queue name, so none is left out). */
const HANDLERS = {
	[LinkCommands.QUEUE]: handleCommandBatch,
	[LinkCommands.DLQ]: handleDeadLetterBatch,
	[WebhookDeliveries.QUEUE]: handleWebhookBatch,
	[WebhookDeliveries.DLQ]: handleWebhookDeadLetterBatch,
} as const satisfies Record<QueueName, BatchHandler>;

const HANDLER_OF = new Map<string, BatchHandler>(Object.entries(HANDLERS));

/** The queues this Worker consumes (tests hold them against wrangler.toml). */
export const CONSUMED_QUEUES: readonly string[] = [...HANDLER_OF.keys()];

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
	const handler = HANDLER_OF.get(batch.queue);
	if (handler) return handler(batch, env);
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
