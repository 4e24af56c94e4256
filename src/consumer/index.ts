/** Routes a queue batch to its consumer by queue name. */
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
	if (batch.queue === DEAD_LETTER_QUEUE) return handleDeadLetterBatch(batch, env);
	if (batch.queue === COMMAND_QUEUE) return handleCommandBatch(batch, env);
	if (batch.queue === WEBHOOK_QUEUE) return handleWebhookBatch(batch, env);
	if (batch.queue === WEBHOOK_DEAD_LETTER_QUEUE) return handleWebhookDeadLetterBatch(batch, env);
	console.error("batch from an unknown queue acked", batch.queue);
	batch.ackAll();
}
