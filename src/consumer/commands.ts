/**
 * The `link-commands` consumer. A message only says "drain link X"; the
 * link's DO applies its own log in seq order. Every message is acked or
 * retried explicitly: acked when its command is final (or waits behind a
 * dead-lettered one, which an admin's replay re-sends), retried with
 * exponential backoff when the drain failed before reaching it.
 */
import * as v from "valibot";
import * as DeadLettersTable from "../d1/dead-letters";
import { linkStub } from "../do/stub";
import { retryDelaySeconds } from "../domain/commands";
import { errorField, logEvent } from "../lib/log";
import { CommandMessage } from "../queues/link-commands";

export function backoffBase(env: Env): number {
	const base = Number(env.RETRY_BACKOFF_BASE_SECONDS);
	return Number.isFinite(base) && base >= 0 ? base : 2;
}

/**
 * Validates a message body; an invalid one is logged, recorded in D1 and acked
 * (retrying cannot make it valid). Returns the parsed body or null.
 */
export async function validMessage<T>(
	env: Env,
	queue: string,
	msg: Message<unknown>,
	schema: v.GenericSchema<unknown, T>,
): Promise<T | null> {
	const parsed = v.safeParse(schema, msg.body);
	if (parsed.success) return parsed.output;
	const error = parsed.issues.map((i) => i.message).join("; ");
	logEvent(
		"queue.invalid-message",
		{ queue, messageId: msg.id, error: error.slice(0, 300) },
		"error",
	);
	try {
		await DeadLettersTable.recordInvalid(env.DB, {
			messageId: msg.id,
			queue,
			body: msg.body,
			attempts: msg.attempts,
			error,
		});
	} catch (e) {
		logEvent("queue.invalid-not-recorded", { messageId: msg.id, error: errorField(e) }, "error");
	}
	msg.ack();
	return null;
}

export async function handleCommandBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
	const byLink = new Map<string, { msg: Message<unknown>; body: CommandMessage }[]>();
	for (const msg of batch.messages) {
		const body = await validMessage(env, batch.queue, msg, CommandMessage);
		if (!body) continue;
		byLink.set(body.linkId, [...(byLink.get(body.linkId) ?? []), { msg, body }]);
	}
	const base = backoffBase(env);
	await Promise.all(
		[...byLink].map(async ([linkId, items]) => {
			try {
				const report = await linkStub(env, linkId).drain();
				for (const { msg, body } of items) {
					if (report.outcome === "failed" && report.unfinished.includes(body.commandId)) {
						msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts, base) });
					} else {
						msg.ack();
					}
				}
			} catch (error) {
				// The DO call itself failed (overload, reset, eviction): retry every message of the link.
				logEvent(
					"drain.call-failed",
					{ linkId, messages: items.length, error: errorField(error) },
					"warn",
				);
				for (const { msg } of items)
					msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts, base) });
			}
		}),
	);
}
