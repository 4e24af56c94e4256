/**
 * The `link-commands` queue and its DLQ `link-commands-dlq`
 * (docs/commands.md "Queue message"): the names, the message schema, the
 * one message builder and the one send. A message only says "drain link X";
 * the link's DO applies its own log in seq order, so duplicates,
 * reorderings and lost sends change nothing.
 *
 * Version 2 adds `gen`, the command's replay generation (0 when accepted, +1
 * per admin replay): the dead-letter path ignores a message of an older
 * generation, so a stale duplicate reaching the DLQ after a replay cannot
 * dead-letter the command again. Version 1 messages (sent before v2, still in
 * a queue or its DLQ) stay valid and count as generation 0. Each version is
 * strict: an unknown field is an invalid message.
 */
import * as v from "valibot";
import { JSON_MESSAGES } from "./send";

/** The queue a link's outbox sends to (`wrangler.toml`). */
export const QUEUE = "link-commands";
/** Where the queue moves a message that ran out of retries (`wrangler.toml`). */
export const DLQ = "link-commands-dlq";
/** The producer binding of QUEUE (`wrangler.toml`, `Env`). */
export const BINDING = "LINK_COMMANDS";

const fields = {
	linkId: v.pipe(v.string(), v.regex(/^lnk_[0-9a-z]{26}$/)),
	commandId: v.pipe(v.string(), v.regex(/^cmd_[0-9a-z]{38}$/)),
	seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
};

export const CommandMessageV1 = v.strictObject({ v: v.literal(1), ...fields });
export const CommandMessageV2 = v.strictObject({
	v: v.literal(2),
	...fields,
	gen: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

export const CommandMessage = v.variant("v", [CommandMessageV1, CommandMessageV2]);
export type CommandMessage = v.InferOutput<typeof CommandMessage>;

/** The replay generation a message was sent for (version 1 predates generations: 0). */
export function generationOf(message: CommandMessage): number {
	return message.v === 2 ? message.gen : 0;
}

/** The message of a command (version 2, with its replay generation): what the outbox sends and a dead letter stands for. */
export function commandMessage(
	linkId: string,
	command: { id: string; seq: number; generation: number },
): CommandMessage {
	return { v: 2, linkId, commandId: command.id, seq: command.seq, gen: command.generation };
}

/** Sends one command message to `link-commands` (`queue` is the `LINK_COMMANDS` binding). */
export async function send(queue: Queue, message: CommandMessage): Promise<void> {
	await queue.send(message, JSON_MESSAGES);
}
