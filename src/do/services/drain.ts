/**
 * The drain: applies the link's pending commands in seq order, one drain at a
 * time per object (a drain that arrives while another runs waits for it). A
 * terminal command commits its transition and epoch first, then runs its
 * side-effect steps, each recorded as done, so a retry resumes where the
 * last one stopped. The sweep finishes what a cancelled or crashed cleanup
 * left behind.
 */

import type { StepName, WebhookEventType } from "../../contract/enums";
import * as LinksTable from "../../d1/links";
import {
	isTerminalKind,
	RESULT_OF,
	type TerminalKind,
	TRANSITION_OF,
	terminalKindOf,
} from "../../domain/commands";
import { applyTransition, isTerminal } from "../../domain/lifecycle";
import { errorField, logEvent } from "../../lib/log";
import { TIMERS } from "../../storage/names";
import type { CommandRecord } from "../command-log";
import type { LinkHost } from "../host";
import { type LinkRecord, markProjected, recordTransition, saveLink } from "../link-store";
import type { DrainReport } from "../rpc";
import type { Cleanup } from "./cleanup";
import type { Finalizer } from "./finalize";
import type { LinkRow } from "./link-row";

/** How long after a terminal transition the sweep runs (in-flight writes finish first). */
const SWEEP_DELAY_MS = 60_000;
/** How long to wait before sweeping again after a failed cleanup. */
const SWEEP_RETRY_MS = 30_000;

type StepHandler = (link: LinkRecord, kind: TerminalKind) => Promise<void>;

/** The webhook event a terminal transition announces. */
const EVENT_OF: Record<TerminalKind, WebhookEventType> = {
	revoke: "link.revoked",
	delete: "link.deleted",
	expire: "link.expired",
};

export class Drain {
	private chain: Promise<unknown> = Promise.resolve();
	/** What each side-effect step does; every one idempotent. */
	private readonly steps: Record<StepName, StepHandler>;

	constructor(
		private readonly host: LinkHost,
		private readonly row: LinkRow,
		private readonly cleanup: Cleanup,
		private readonly finalizer: Finalizer,
	) {
		this.steps = {
			"cleanup-uploads": (link, kind) => cleanup.settleUploads(row.link() ?? link, kind),
			"purge-objects": (link) => cleanup.purgeObjects(link),
			"purge-index": (link) => cleanup.purgeIndex(link),
			project: async (link) => {
				const current = row.link() ?? link;
				await LinksTable.upsert(host.env.DB, row.view(current), current.version);
				markProjected(host.sql, current.version);
			},
		};
	}

	/** Applies every pending command in seq order, after any drain already running. */
	run(): Promise<DrainReport> {
		const run = this.chain.then(() => this.drainNow());
		this.chain = run.catch(() => undefined);
		return run;
	}

	private async drainNow(): Promise<DrainReport> {
		if (!this.row.exists) return { outcome: "idle", unfinished: [] };
		const commandLog = this.host.commandLog;
		for (;;) {
			const next = commandLog.unfinished()[0];
			if (!next) return { outcome: "idle", unfinished: [] };
			if (next.status === "dead_lettered") {
				return { outcome: "blocked", unfinished: commandLog.unfinished().map((c) => c.id) };
			}
			try {
				await this.apply(next);
			} catch (error) {
				const message = String(error instanceof Error ? error.message : error);
				const current = commandLog.get(next.id);
				const attempts = (current?.attempts ?? next.attempts) + 1;
				commandLog.update(next.id, { attempts, error: message });
				logEvent(
					"command.failed",
					{
						linkId: this.row.link()?.id,
						commandId: next.id,
						kind: next.kind,
						attempts,
						error: message.slice(0, 300),
					},
					"warn",
				);
				return {
					outcome: "failed",
					unfinished: commandLog.unfinished().map((c) => c.id),
					error: message,
					failedCommandId: next.id,
				};
			}
		}
	}

	/**
	 * Applies one command: commits the state transition and epoch first (in one
	 * transaction with the command's status), then runs its side-effect steps.
	 * Re-running resumes at the first step not done.
	 */
	private async apply(command: CommandRecord): Promise<void> {
		const { commandLog, timers } = this.host;
		commandLog.touch(command.id, this.host.now());
		let link = this.row.link();
		if (!link) throw new Error("link row missing");
		if (!isTerminalKind(command.kind)) {
			const outcome = await this.finalizer.apply(command);
			if (this.cancelled(command.id)) return;
			const status = outcome.succeeded ? "succeeded" : "rejected";
			commandLog.update(command.id, {
				status,
				appliedEpoch: (this.row.link() ?? link).epoch,
				result: outcome.result,
				error: null,
				finishedAt: new Date(this.host.now()).toISOString(),
			});
			this.logFinal(link.id, command, status, outcome.result);
			return;
		}
		const kind = command.kind;
		if (command.status === "accepted") {
			this.host.hooks().beforeApply?.();
			const applied = applyTransition(link, TRANSITION_OF[kind]);
			const now = new Date(this.host.now()).toISOString();
			if (!applied.ok || !applied.changed) {
				const result = applied.ok ? "already-applied" : applied.code;
				commandLog.update(command.id, { status: "rejected", result, finishedAt: now });
				this.logFinal(link.id, command, "rejected", result);
				return;
			}
			const before = link;
			link = this.host.transaction(() => {
				const saved = saveLink(this.host.sql, { ...before, ...applied.next }, now);
				recordTransition(this.host.sql, saved, kind);
				commandLog.update(command.id, { status: "applying", appliedEpoch: saved.epoch });
				this.host.events.record(saved, EVENT_OF[kind], { commandId: command.id });
				return saved;
			});
			logEvent("command.applied", {
				linkId: link.id,
				commandId: command.id,
				kind,
				epoch: link.epoch,
			});
			await this.host.events.afterCommit();
			await timers.cancel(TIMERS.expire);
			// Requests admitted before the transition may still be writing: sweep after they are done.
			await timers.schedule(TIMERS.sweep, this.host.now() + SWEEP_DELAY_MS);
		}
		await this.finishSteps(link, commandLog.get(command.id) ?? command);
		// A discard while a step was awaited wins: the command stays cancelled.
		if (this.cancelled(command.id)) return;
		commandLog.update(command.id, {
			status: "succeeded",
			result: RESULT_OF[kind],
			error: null,
			finishedAt: new Date(this.host.now()).toISOString(),
		});
		this.logFinal(link.id, command, "succeeded", RESULT_OF[kind]);
	}

	/** The `command.final` log line: status, result, and the time since it was accepted. */
	private logFinal(linkId: string, command: CommandRecord, status: string, result: string | null) {
		logEvent("command.final", {
			linkId,
			commandId: command.id,
			kind: command.kind,
			status,
			result,
			sinceAcceptedMs: this.host.now() - Date.parse(command.createdAt),
		});
	}

	private cancelled(commandId: string): boolean {
		return this.host.commandLog.get(commandId)?.status === "cancelled";
	}

	/** Runs the steps of `command` not done yet, recording each as it completes. */
	private async finishSteps(link: LinkRecord, command: CommandRecord): Promise<void> {
		if (!isTerminalKind(command.kind)) return;
		const commandLog = this.host.commandLog;
		for (const { name } of command.steps) {
			// Read the steps afresh: a sweep may have finished some while this awaited.
			if (commandLog.get(command.id)?.steps.find((s) => s.name === name)?.done) continue;
			this.host.hooks().beforeStep?.(name);
			// Step names are stored as text: an unknown one fails the command (retried, then dead-lettered).
			const run = this.steps[name] as StepHandler | undefined;
			if (!run) throw new Error(`unknown step ${name}`);
			const started = this.host.now();
			await run(link, command.kind);
			logEvent("command.step", {
				linkId: link.id,
				commandId: command.id,
				kind: command.kind,
				step: name,
				durationMs: this.host.now() - started,
			});
			const steps = (commandLog.get(command.id)?.steps ?? command.steps).map((s) =>
				s.name === name ? { ...s, done: true } : s,
			);
			commandLog.update(command.id, { steps });
		}
	}

	/**
	 * The sweep after a terminal transition: finishes the cleanup steps of
	 * commands cancelled after their transition applied (discard cannot undo a
	 * transition), then settles what is left and removes objects under the
	 * link's prefix that a crashed request left behind. A failure re-arms the
	 * sweep timer.
	 */
	async sweep(): Promise<void> {
		const link = this.row.link();
		if (!link) return;
		try {
			for (const command of this.host.commandLog.cancelledWithOpenSteps())
				await this.finishSteps(link, command);
			const now = this.row.link() ?? link;
			if (isTerminal(now.state)) {
				await this.cleanup.settleUploads(now, terminalKindOf(now.state));
				await this.cleanup.sweepObjects(now);
			}
		} catch (error) {
			logEvent("sweep.failed", { linkId: link.id, error: errorField(error) }, "warn");
			await this.host.timers.schedule(TIMERS.sweep, this.host.now() + SWEEP_RETRY_MS);
		}
	}
}
