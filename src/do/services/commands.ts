/**
 * Accepting and reading commands: revoke and delete from owners and admins
 * (one transaction with the outbox row, which raises the closing fence),
 * reads, the dead-letter report, admin replay and discard, and the expiry
 * alarm's system `expire`.
 */

import { isFinal } from "../../contract/enums";
import { actorOf, type Caller, mayActOn } from "../../domain/actor";
import { acceptTerminal } from "../../domain/commands";
import { checkIfMatch, refusal } from "../../domain/lifecycle";
import { fail, ok, problem, type Result } from "../../domain/problems";
import { expiryMs } from "../../domain/settings";
import { TIMERS } from "../../storage/names";
import { commandView } from "../command-log";
import type { LinkHost } from "../host";
import { pageOf } from "../page";
import type { CommandRequest, CommandView } from "../rpc";
import type { Drain } from "./drain";
import type { LinkRow } from "./link-row";
import type { Outbox } from "./outbox";

/** While another terminal command is pending, an overdue expiry is checked again this often. */
const EXPIRE_RECHECK_MS = 30_000;

export class Commands {
	constructor(
		private readonly host: LinkHost,
		private readonly row: LinkRow,
		private readonly outbox: Outbox,
		private readonly drain: Drain,
	) {}

	/**
	 * Accepts a revoke or delete: in one storage transaction it assigns the next
	 * seq, persists the command and its outbox row, and so raises the closing
	 * fence. Then it sends the queue message; a failed send is retried by the
	 * outbox alarm. An Idempotency-Key replay returns the original command.
	 */
	async request(req: CommandRequest): Promise<Result<{ command: CommandView; created: boolean }>> {
		const link = this.row.link();
		if (!link || !mayActOn(req.caller, link.ownerId)) return fail(problem("link-not-found"));
		const { commandLog } = this.host;
		const scope = actorOf(req.caller);
		if (req.idempotency) {
			const seen = commandLog.idempotent(scope, req.idempotency.key);
			if (seen) {
				if (seen.requestHash !== req.idempotency.requestHash)
					return fail(problem("idempotency-key-reused"));
				const original = commandLog.get(seen.id);
				if (original) return ok({ command: commandView(link.id, original), created: false });
			}
		}
		const decision = acceptTerminal(req.kind, link.state, commandLog.pending());
		if (decision.kind === "refuse") return fail(refusal(decision.code, link.epoch));
		const stale = checkIfMatch(link, req.ifMatch);
		if (stale) return fail(stale);
		if (decision.kind === "existing") {
			const existing = commandLog.get(decision.commandId);
			if (existing) {
				if (req.idempotency)
					commandLog.remember(scope, req.idempotency.key, req.idempotency.requestHash, existing.id);
				return ok({ command: commandView(link.id, existing), created: false });
			}
		}
		const command = this.host.transaction(() => {
			const c = this.outbox.newCommand(link, req.kind, scope);
			if (req.idempotency)
				commandLog.remember(scope, req.idempotency.key, req.idempotency.requestHash, c.id);
			return c;
		});
		await this.outbox.afterAccept(true);
		return ok({
			command: commandView(link.id, commandLog.get(command.id) ?? command),
			created: true,
		});
	}

	/** One command, for its owner or an admin; `caller` null when a Retry-Token was verified at the edge. */
	get(caller: Caller | null, commandId: string): Result<CommandView> {
		const link = this.row.link();
		const command = link ? this.host.commandLog.get(commandId) : null;
		if (!link || !command || (caller && !mayActOn(caller, link.ownerId)))
			return fail(problem("command-not-found"));
		return ok(commandView(link.id, command));
	}

	/** Command history, newest first. */
	list(
		caller: Caller,
		limit: number,
		beforeSeq: number | null,
	): Result<{ items: CommandView[]; nextCursor: string | null }> {
		const found = this.row.authorize(caller, "owner-read");
		if (!found.ok) return found;
		const rows = this.host.commandLog.list(limit + 1, beforeSeq);
		const linkId = found.value.id;
		return ok(
			pageOf(
				rows,
				limit,
				(c) => commandView(linkId, c),
				(last) => String(last.seq),
			),
		);
	}

	/**
	 * Admin replay: a dead-lettered command is accepted again, in a new replay
	 * generation, and re-sent. Messages of the older generation still in the
	 * queues are stale: reaching the DLQ, they change nothing (DeadLetters).
	 * Idempotent.
	 */
	async replay(commandId: string): Promise<Result<CommandView>> {
		const link = this.row.link();
		const commandLog = this.host.commandLog;
		const command = link ? commandLog.get(commandId) : null;
		if (!link || !command) return fail(problem("command-not-found"));
		if (command.status === "dead_lettered") {
			commandLog.update(commandId, {
				status: command.appliedEpoch === null ? "accepted" : "applying",
				generation: command.generation + 1,
				deadLetterRecorded: false,
			});
			await this.outbox.armResend();
			await this.outbox.sendDue(0);
		}
		return ok(commandView(link.id, commandLog.get(commandId) ?? command));
	}

	/**
	 * Admin discard: cancels the command. Before its transition applies, that
	 * lifts the closing fence (when nothing else waits). After, the transition
	 * stands; retries stop and the cleanup still finishes (the sweep runs the
	 * remaining steps).
	 */
	async discard(commandId: string): Promise<Result<CommandView>> {
		const link = this.row.link();
		const commandLog = this.host.commandLog;
		const command = link ? commandLog.get(commandId) : null;
		if (!link || !command) return fail(problem("command-not-found"));
		if (!isFinal(command.status)) {
			commandLog.update(commandId, {
				status: "cancelled",
				result: command.appliedEpoch === null ? "cancelled" : "cancelled-after-apply",
				finishedAt: new Date(this.host.now()).toISOString(),
			});
			if (command.appliedEpoch !== null) await this.drain.sweep();
			await this.outbox.sendDue(0);
			await this.row.republish();
		}
		return ok(commandView(link.id, commandLog.get(commandId) ?? command));
	}

	/** The expiry alarm: a system `expire` command through the same pipeline. */
	async expireNow(): Promise<void> {
		const link = this.row.link();
		if (!link) return;
		const at = expiryMs(link.settings);
		if (at === null) return;
		const { timers, commandLog } = this.host;
		if (at > this.host.now()) {
			await timers.reschedule(TIMERS.expire, at);
			return;
		}
		const decision = acceptTerminal("expire", link.state, commandLog.pending());
		if (decision.kind === "existing") {
			// Another terminal command is on its way; if it is discarded, expiry must still happen.
			await timers.schedule(TIMERS.expire, this.host.now() + EXPIRE_RECHECK_MS);
			return;
		}
		if (decision.kind !== "new") return;
		this.host.transaction(() => this.outbox.newCommand(link, "expire", "system"));
		await this.outbox.afterAccept(true);
	}
}
