/**
 * Commands of LinkDO: accept (one transaction with the outbox row), the
 * serialized drain that applies them in seq order, dead-lettering, admin
 * replay and discard, expiry and the sweep. Side effects of terminal
 * commands that touch uploads are the upload layer's (abstract hooks).
 */
import { actorOf, type Caller, mayActOn } from "../domain/actor";
import {
	acceptTerminal,
	isFinal,
	isTerminalKind,
	type TerminalKind,
	TRANSITION_OF,
} from "../domain/commands";
import {
	applyTransition,
	checkIfMatch,
	type IfMatch,
	isTerminal,
	refusal,
} from "../domain/lifecycle";
import { fail, ok, problem, type Result } from "../domain/problems";
import { expiryMs } from "../domain/settings";
import { TIMERS } from "../storage/names";
import { type CommandRecord, commandView } from "./command-log";
import { LinkBase } from "./link-base";
import { type LinkRecord, markProjected, recordTransition, saveLink } from "./link-store";
import { stepHandler } from "./steps";
import type { CommandView, DrainReport } from "./views";

/** How long to wait before sweeping again after a failed cleanup. */
const SWEEP_RETRY_MS = 30_000;
/** How long after a terminal transition the sweep runs (in-flight writes finish first). */
const SWEEP_DELAY_MS = 60_000;
/** While another terminal command is pending, an overdue expiry is checked again this often. */
const EXPIRE_RECHECK_MS = 30_000;

export interface CommandRequest {
	caller: Caller;
	kind: "revoke" | "delete";
	/** Only its epoch is compared (a lifecycle call). */
	ifMatch?: IfMatch;
	/** Idempotency-Key and the hash of the request it came with. */
	idempotency?: { key: string; requestHash: string };
}

export abstract class LinkCommands extends LinkBase {
	private drainChain: Promise<unknown> = Promise.resolve();

	/** Settles every upload session of a link that just became terminal (abort, finalize or reject). */
	protected abstract settleUploads(link: LinkRecord, kind: TerminalKind): Promise<void>;
	/** Applies a finalize command; returns its result code, and whether it succeeded. */
	protected abstract applyFinalize(
		command: CommandRecord,
	): Promise<{ succeeded: boolean; result: string }>;
	/** Deletes objects under the link's prefix that no finalized file owns. */
	protected abstract sweepObjects(link: LinkRecord): Promise<void>;
	/** Removes the link's finalized files from the D1 index. */
	protected abstract purgeIndex(link: LinkRecord): Promise<void>;

	/**
	 * Accepts a revoke or delete: in one storage transaction it assigns the next
	 * seq, persists the command and its outbox row, and so raises the closing
	 * fence. Then it sends the queue message; a failed send is retried by the
	 * outbox alarm. An Idempotency-Key replay returns the original command.
	 */
	async requestCommand(
		req: CommandRequest,
	): Promise<Result<{ command: CommandView; created: boolean }>> {
		const link = this.link();
		if (!link || !mayActOn(req.caller, link.ownerId)) return fail(problem("link-not-found"));
		const scope = actorOf(req.caller);
		if (req.idempotency) {
			const seen = this.log.idempotent(scope, req.idempotency.key);
			if (seen) {
				if (seen.requestHash !== req.idempotency.requestHash) {
					return fail(problem("idempotency-key-reused"));
				}
				const original = this.log.get(seen.id);
				if (original) return ok({ command: commandView(link.id, original), created: false });
			}
		}
		const decision = acceptTerminal(req.kind, link.state, this.log.pending());
		if (decision.kind === "refuse") return fail(refusal(decision.code, link.epoch));
		const stale = checkIfMatch(link, req.ifMatch);
		if (stale) return fail(stale);
		if (decision.kind === "existing") {
			const existing = this.log.get(decision.commandId);
			if (existing) {
				if (req.idempotency) {
					this.log.remember(scope, req.idempotency.key, req.idempotency.requestHash, existing.id);
				}
				return ok({ command: commandView(link.id, existing), created: false });
			}
		}
		const command = this.ctx.storage.transactionSync(() => {
			const c = this.newCommand(link, req.kind, scope);
			if (req.idempotency)
				this.log.remember(scope, req.idempotency.key, req.idempotency.requestHash, c.id);
			return c;
		});
		await this.afterAccept(true);
		return ok({
			command: commandView(link.id, this.log.get(command.id) ?? command),
			created: true,
		});
	}

	/** One command, for its owner or an admin; `caller` null when a Retry-Token was verified at the edge. */
	async getCommand(caller: Caller | null, commandId: string): Promise<Result<CommandView>> {
		const link = this.link();
		const command = link ? this.log.get(commandId) : null;
		if (!link || !command || (caller && !mayActOn(caller, link.ownerId))) {
			return fail(problem("command-not-found"));
		}
		return ok(commandView(link.id, command));
	}

	/** Command history, newest first. */
	async listCommands(
		caller: Caller,
		limit: number,
		beforeSeq: number | null,
	): Promise<Result<{ items: CommandView[]; nextCursor: string | null }>> {
		const found = this.authorize(caller, "owner-read");
		if (!found.ok) return found;
		const rows = this.log.list(limit + 1, beforeSeq);
		const items = rows.slice(0, limit).map((c) => commandView(found.value.id, c));
		const last = items[items.length - 1];
		return ok({ items, nextCursor: rows.length > limit && last ? String(last.seq) : null });
	}

	/**
	 * Applies every pending command in seq order. Serialized per DO: a drain
	 * that arrives while another runs waits for it, then drains what is left.
	 */
	async drain(): Promise<DrainReport> {
		const run = this.drainChain.then(() => this.drainNow());
		this.drainChain = run.catch(() => undefined);
		return run;
	}

	/**
	 * The DLQ consumer reports that a command's message ran out of retries.
	 * Returns the command (null when it already reached a final status).
	 */
	async deadLetter(commandId: string): Promise<CommandView | null> {
		const link = this.link();
		const command = link ? this.log.get(commandId) : null;
		if (!link || !command || isFinal(command.status)) return null;
		if (command.status !== "dead_lettered") this.log.update(commandId, { status: "dead_lettered" });
		return commandView(link.id, this.log.get(commandId) ?? command);
	}

	/** Admin replay: a dead-lettered command is accepted again and re-sent. Idempotent. */
	async replay(commandId: string): Promise<Result<CommandView>> {
		const link = this.link();
		const command = this.log.get(commandId);
		if (!link || !command) return fail(problem("command-not-found"));
		if (command.status === "dead_lettered") {
			this.log.update(commandId, {
				status: command.appliedEpoch === null ? "accepted" : "applying",
			});
			await this.timers.schedule(TIMERS.outbox, Date.now() + this.resendAfterMs());
			await this.sendDue(0);
		}
		return ok(commandView(link.id, this.log.get(commandId) ?? command));
	}

	/**
	 * Admin discard: cancels the command. Before its transition applies, that
	 * lifts the closing fence (when nothing else waits). After, the transition
	 * stands; retries stop and the cleanup still finishes (the sweep runs the
	 * remaining steps).
	 */
	async discard(commandId: string): Promise<Result<CommandView>> {
		const link = this.link();
		const command = this.log.get(commandId);
		if (!link || !command) return fail(problem("command-not-found"));
		if (!isFinal(command.status)) {
			this.log.update(commandId, {
				status: "cancelled",
				result: command.appliedEpoch === null ? "cancelled" : "cancelled-after-apply",
				finishedAt: new Date().toISOString(),
			});
			if (command.appliedEpoch !== null) await this.sweep();
			await this.sendDue(0);
			await this.republish();
		}
		return ok(commandView(link.id, this.log.get(commandId) ?? command));
	}

	protected async drainNow(): Promise<DrainReport> {
		if (!this.ready) return { outcome: "idle", unfinished: [] };
		for (;;) {
			const next = this.log.unfinished()[0];
			if (!next) return { outcome: "idle", unfinished: [] };
			if (next.status === "dead_lettered") {
				return { outcome: "blocked", unfinished: this.log.unfinished().map((c) => c.id) };
			}
			try {
				await this.apply(next);
			} catch (error) {
				const message = String(error instanceof Error ? error.message : error);
				const current = this.log.get(next.id);
				this.log.update(next.id, {
					attempts: (current?.attempts ?? next.attempts) + 1,
					error: message,
				});
				return {
					outcome: "failed",
					unfinished: this.log.unfinished().map((c) => c.id),
					error: message,
					failedCommandId: next.id,
				};
			}
		}
	}

	/**
	 * Applies one command: commits the state transition and epoch first (in one
	 * transaction with the command's status), then runs its side-effect steps,
	 * each recorded as done. Re-running resumes at the first step not done.
	 */
	protected async apply(command: CommandRecord): Promise<void> {
		this.log.touch(command.id, Date.now());
		let link = this.link();
		if (!link) throw new Error("link row missing");
		if (!isTerminalKind(command.kind)) {
			const outcome = await this.applyFinalize(command);
			if (this.cancelled(command.id)) return;
			this.log.update(command.id, {
				status: outcome.succeeded ? "succeeded" : "rejected",
				appliedEpoch: (this.link() ?? link).epoch,
				result: outcome.result,
				error: null,
				finishedAt: new Date().toISOString(),
			});
			return;
		}
		const kind = command.kind;
		if (command.status === "accepted") {
			if (this.faults.failApply) {
				this.faults.failApply--;
				throw new Error("injected failure before the transition");
			}
			const applied = applyTransition(link, TRANSITION_OF[kind]);
			const now = new Date().toISOString();
			if (!applied.ok || !applied.changed) {
				this.log.update(command.id, {
					status: "rejected",
					result: applied.ok ? "already-applied" : applied.code,
					finishedAt: now,
				});
				return;
			}
			const before = link;
			link = this.ctx.storage.transactionSync(() => {
				const saved = saveLink(this.sql, { ...before, ...applied.next }, now);
				recordTransition(this.sql, saved, kind);
				this.log.update(command.id, { status: "applying", appliedEpoch: saved.epoch });
				return saved;
			});
			await this.timers.cancel(TIMERS.expire);
			// Requests admitted before the transition may still be writing: sweep after they are done.
			await this.timers.schedule(TIMERS.sweep, Date.now() + SWEEP_DELAY_MS);
		}
		const current = this.log.get(command.id) ?? command;
		await this.finishSteps(link, current);
		// A discard while a step was awaited wins: the command stays cancelled.
		if (this.cancelled(command.id)) return;
		this.log.update(command.id, {
			status: "succeeded",
			result: kind === "delete" ? "deleted" : kind === "expire" ? "expired" : "revoked",
			error: null,
			finishedAt: new Date().toISOString(),
		});
	}

	private cancelled(commandId: string): boolean {
		return this.log.get(commandId)?.status === "cancelled";
	}

	/** Runs the steps of `command` not done yet, recording each as it completes. */
	protected async finishSteps(link: LinkRecord, command: CommandRecord): Promise<void> {
		for (const { name } of command.steps) {
			// Read the steps afresh: a sweep may have finished some while this awaited.
			if (this.log.get(command.id)?.steps.find((s) => s.name === name)?.done) continue;
			const failures = this.faults.failStep?.[name] ?? 0;
			if (failures > 0 && this.faults.failStep) {
				this.faults.failStep[name] = failures - 1;
				throw new Error(`injected failure in step ${name}`);
			}
			await this.runStep(link, command.kind, name);
			const steps = (this.log.get(command.id)?.steps ?? command.steps).map((s) =>
				s.name === name ? { ...s, done: true } : s,
			);
			this.log.update(command.id, { steps });
		}
	}

	protected async runStep(
		link: LinkRecord,
		kind: CommandRecord["kind"],
		step: string,
	): Promise<void> {
		const run = stepHandler(step);
		if (!run) throw new Error(`unknown step ${step}`);
		await run({
			link,
			kind,
			env: this.env,
			current: () => this.link() ?? link,
			view: (l) => this.view(l),
			markProjected: (version) => markProjected(this.sql, version),
			settleUploads: (l, k) => this.settleUploads(l, k),
			purgeIndex: (l) => this.purgeIndex(l),
		});
	}

	/**
	 * The sweep after a terminal transition: finishes the cleanup steps of
	 * commands cancelled after their transition applied (discard cannot undo a
	 * transition), then removes objects under the link's prefix that a crashed
	 * request left behind. A failure re-arms the sweep timer.
	 */
	protected async sweep(): Promise<void> {
		const link = this.link();
		if (!link) return;
		try {
			for (const command of this.log.cancelledWithOpenSteps())
				await this.finishSteps(link, command);
			const now = this.link() ?? link;
			if (isTerminal(now.state)) {
				await this.settleUploads(
					now,
					now.state === "deleted" ? "delete" : now.state === "expired" ? "expire" : "revoke",
				);
				await this.sweepObjects(now);
			}
		} catch (error) {
			console.error("sweep failed; will retry", link.id, String(error));
			await this.timers.schedule(TIMERS.sweep, Date.now() + SWEEP_RETRY_MS);
		}
	}

	/** The expiry alarm: a system `expire` command through the same pipeline. */
	protected async expireNow(): Promise<void> {
		const link = this.link();
		if (!link) return;
		const at = expiryMs(link.settings);
		if (at === null) return;
		if (at > Date.now()) {
			await this.timers.reschedule(TIMERS.expire, at);
			return;
		}
		const decision = acceptTerminal("expire", link.state, this.log.pending());
		if (decision.kind === "existing") {
			// Another terminal command is on its way; if it is discarded, expiry must still happen.
			await this.timers.schedule(TIMERS.expire, Date.now() + EXPIRE_RECHECK_MS);
			return;
		}
		if (decision.kind !== "new") return;
		this.ctx.storage.transactionSync(() => this.newCommand(link, "expire", "system"));
		await this.afterAccept(true);
	}
}
