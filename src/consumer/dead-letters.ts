/**
 * The `link-commands-dlq` consumer: a command's message ran out of retries.
 * It reports the dead letter to the command's DO, the source of truth: the
 * DO marks the command `dead_lettered` (which stops the outbox resending it)
 * and writes the D1 row admins see, retrying that write from its own timer
 * (and the reconciler) until it lands, so a D1 outage here loses nothing. A
 * message of an older replay generation than the command's (a stale
 * duplicate after an admin replay) changes nothing. Idempotent, so a retry
 * after a failure is safe.
 */

import { linkStub } from "../do/stub";
import { retryDelaySeconds } from "../domain/commands";
import { errorField, logEvent } from "../lib/log";
import { CommandMessage, generationOf } from "../queues/link-commands";
import { backoffBase, validMessage } from "./commands";

export async function handleDeadLetterBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
	for (const msg of batch.messages) {
		const body = await validMessage(env, batch.queue, msg, CommandMessage);
		if (!body) continue;
		try {
			await linkStub(env, body.linkId).deadLetter({
				commandId: body.commandId,
				generation: generationOf(body),
				messageId: msg.id,
			});
			msg.ack();
		} catch (error) {
			logEvent(
				"dead-letter.not-reported",
				{
					messageId: msg.id,
					linkId: body.linkId,
					commandId: body.commandId,
					error: errorField(error),
				},
				"warn",
			);
			msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts, backoffBase(env)) });
		}
	}
}
