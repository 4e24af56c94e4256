/**
 * Dead letters, with the link's Durable Object as their source of truth: a
 * command is dead-lettered here first (status `dead_lettered`, flag
 * `dead_letter_recorded` 0, a `deadLetters` timer armed, in one
 * transaction), and the D1 row admins list is written from here, until one
 * write succeeds. The DLQ consumer, the timer and the reconciler all end up
 * in `recordPending`, which writes idempotently (one pending row per command,
 * src/d1/dead-letters.ts). A message of an older replay generation than the
 * command's is stale and changes nothing.
 */

import { isFinal } from "../../contract/enums";
import * as DeadLettersTable from "../../d1/dead-letters";
import { isStaleGeneration } from "../../domain/reconcile";
import { errorField, logEvent } from "../../lib/log";
import * as LinkCommands from "../../queues/link-commands";
import { TIMERS } from "../../storage/names";
import { commandView } from "../command-log";
import type { LinkHost } from "../host";
import type { CommandView, DeadLetterReport } from "../rpc";
import type { LinkRow } from "./link-row";

/** How soon a failed D1 write of a dead letter is tried again. */
const RECORD_RETRY_MS = 30_000;

export class DeadLetters {
	constructor(
		private readonly host: LinkHost,
		private readonly row: LinkRow,
	) {}

	/**
	 * The DLQ consumer reports that a command's message ran out of retries.
	 * Marks the command dead-lettered (unless it is final, or the message is of
	 * an older replay generation: a stale duplicate), then records the dead
	 * letter in D1. Returns the command, or null when nothing was dead-lettered.
	 */
	async mark(report: DeadLetterReport): Promise<CommandView | null> {
		const link = this.row.link();
		const commandLog = this.host.commandLog;
		const command = link ? commandLog.get(report.commandId) : null;
		if (!link || !command || isFinal(command.status)) return null;
		if (isStaleGeneration(report.generation, command.generation)) {
			logEvent("dead-letter.stale", {
				linkId: link.id,
				commandId: command.id,
				generation: report.generation,
				current: command.generation,
			});
			return null;
		}
		if (command.status !== "dead_lettered")
			this.host.transaction(() => {
				commandLog.update(command.id, { status: "dead_lettered", deadLetterRecorded: false });
				this.host.events.record(link, "command.dead_lettered", {
					commandId: command.id,
					kind: command.kind,
					commandSeq: command.seq,
					attempts: command.attempts,
					error: command.error,
				});
				this.host.timers.scheduleInTransaction(TIMERS.deadLetters, this.host.now());
			});
		await this.host.events.afterCommit();
		await this.recordPending(
			report.messageId ? { commandId: command.id, messageId: report.messageId } : undefined,
		);
		return commandView(link.id, commandLog.get(command.id) ?? command);
	}

	/**
	 * Writes the D1 row of every dead-lettered command not recorded yet (the
	 * `deadLetters` timer, the reconciler, and `mark` itself). A failed write
	 * re-arms the timer. `from` is the DLQ message `mark` was called for: its
	 * id goes on its own command's row only (another command's row names the
	 * DO). Returns the commands recorded by this call.
	 */
	async recordPending(from?: { commandId: string; messageId: string }): Promise<string[]> {
		const link = this.row.link();
		if (!link) return [];
		const recorded: string[] = [];
		for (const command of this.host.commandLog.unrecordedDeadLetters()) {
			try {
				this.host.hooks().beforeDeadLetterRecord?.();
				await DeadLettersTable.record(this.host.env.DB, {
					messageId:
						from?.commandId === command.id
							? from.messageId
							: `do:${command.id}:${command.generation}`,
					queue: LinkCommands.DLQ,
					linkId: link.id,
					commandId: command.id,
					seq: command.seq,
					body: LinkCommands.commandMessage(link.id, command),
					attempts: command.attempts,
					lastError: command.error,
				});
			} catch (error) {
				logEvent(
					"dead-letter.not-recorded",
					{ linkId: link.id, commandId: command.id, error: errorField(error) },
					"warn",
				);
				await this.host.timers.schedule(TIMERS.deadLetters, this.host.now() + RECORD_RETRY_MS);
				return recorded;
			}
			// A replay while the write was in flight moved the command on: leave its flag alone.
			const now = this.host.commandLog.get(command.id);
			if (now?.status === "dead_lettered" && now.generation === command.generation)
				this.host.commandLog.update(command.id, { deadLetterRecorded: true });
			recorded.push(command.id);
		}
		await this.host.timers.cancel(TIMERS.deadLetters);
		return recorded;
	}
}
