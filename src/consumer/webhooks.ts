/**
 * The `webhook-deliveries` consumer and its DLQ (placeholder: every message
 * is acknowledged; the delivery consumer replaces this).
 */
export async function handleWebhookBatch(batch: MessageBatch<unknown>, _env: Env): Promise<void> {
	batch.ackAll();
}

export async function handleWebhookDeadLetterBatch(
	batch: MessageBatch<unknown>,
	_env: Env,
): Promise<void> {
	batch.ackAll();
}
