/**
 * The `link-commands-dlq` consumer: a command's message ran out of retries.
 * It marks the command `dead_lettered` in its DO (which stops the outbox
 * resending it), then records the dead letter in D1 for admins. Both are
 * idempotent, so a retry after a failure in between is safe.
 */

import * as DeadLettersTable from "../d1/dead-letters";
import { linkStub } from "../do/stub";
import { retryDelaySeconds } from "../domain/commands";
import { backoffBase, validMessage } from "./commands";
import { CommandMessage } from "./message";

export async function handleDeadLetterBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
	for (const msg of batch.messages) {
		const body = await validMessage(env, batch.queue, msg, CommandMessage);
		if (!body) continue;
		try {
			const command = await linkStub(env, body.linkId).deadLetter(body.commandId);
			if (command) {
				await DeadLettersTable.record(env.DB, {
					messageId: msg.id,
					queue: batch.queue,
					linkId: body.linkId,
					commandId: body.commandId,
					seq: body.seq,
					body: msg.body,
					attempts: command.attempts,
					lastError: command.error,
				});
			}
			msg.ack();
		} catch (error) {
			console.error("dead letter not recorded; retrying", msg.id, String(error));
			msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts, backoffBase(env)) });
		}
	}
}
