/**
 * The transactional outbox: a row written in the same storage transaction as
 * the change that causes it, sent after the commit, re-sent by the alarm until
 * the send succeeds. Today it carries command messages to the
 * `link-commands` queue; webhook events (a second kind of row, written with
 * the transition or finalize they announce) belong here too.
 */
import type { CommandKind } from "../../contract/enums";
import { STEPS } from "../../domain/commands";
import { overdueBefore } from "../../domain/reconcile";
import { newCommandId } from "../../lib/ids";
import { errorField, logEvent } from "../../lib/log";
import * as LinkCommands from "../../queues/link-commands";
import { TIMERS } from "../../storage/names";
import type { CommandRecord } from "../command-log";
import type { LinkHost } from "../host";
import type { LinkRecord } from "../link-store";
import type { LinkRow } from "./link-row";

/** How soon a failed send is tried again. */
const FAILED_SEND_RETRY_MS = 1_000;
/**
 * How soon after an object starts (a new process, after a crash, a deploy or
 * an eviction) the outbox re-sends what an earlier process sent: that send
 * may have been lost with it, and waiting a full resend interval would hold
 * accepted commands back for nothing.
 */
export const RESTART_RESEND_MS = 1_000;

export class Outbox {
	/** When this instance started: rows sent before were sent by an earlier process. */
	private readonly startedAt: number;

	constructor(
		private readonly host: LinkHost,
		private readonly row: LinkRow,
	) {
		this.startedAt = host.now();
	}

	/**
	 * Appends a command with the next seq, and its outbox row. Call inside the
	 * transaction that commits the decision to accept it.
	 */
	newCommand(
		link: LinkRecord,
		kind: CommandKind,
		actor: string,
		payload: Record<string, unknown> = {},
	): CommandRecord {
		const now = new Date(this.host.now()).toISOString();
		const command: CommandRecord = {
			id: newCommandId(link.id),
			seq: this.host.commandLog.nextSeq(),
			kind,
			actor,
			payload,
			status: "accepted",
			acceptedEpoch: link.epoch,
			appliedEpoch: null,
			result: null,
			error: null,
			attempts: 0,
			steps: kind === "finalize" ? [] : STEPS[kind].map((name) => ({ name, done: false })),
			createdAt: now,
			updatedAt: now,
			finishedAt: null,
			generation: 0,
			deadLetterRecorded: false,
		};
		this.host.commandLog.insert(command);
		return command;
	}

	/** After a command commits: send it, arm the resend alarm, and (terminal commands) project `closing`. */
	async afterAccept(raisesFence: boolean): Promise<void> {
		await this.armResend();
		await this.sendDue(0);
		if (raisesFence) await this.row.republish();
	}

	/** Arms the resend alarm one resend interval from now. */
	async armResend(): Promise<void> {
		await this.host.timers.schedule(TIMERS.outbox, this.host.now() + this.resendAfterMs());
	}

	/** Sends outbox rows quiet for `quietMs`; a failed send stays in the outbox for the alarm. */
	async sendDue(quietMs: number): Promise<void> {
		await this.sendBefore(this.host.now() - quietMs);
	}

	/** Sends outbox rows last sent before `before` (ms) or never. */
	private async sendBefore(before: number): Promise<void> {
		const link = this.row.link();
		if (!link) return;
		const { commandLog, env, timers } = this.host;
		const head = commandLog.unfinished()[0];
		// A dead-lettered command blocks the log: re-sending the rest would only spin.
		if (head?.status === "dead_lettered") return;
		for (const row of commandLog.dueForSend(before)) {
			try {
				this.host.hooks().beforeSend?.();
				await LinkCommands.send(
					env.LINK_COMMANDS,
					LinkCommands.commandMessage(link.id, {
						id: row.commandId,
						seq: row.seq,
						generation: row.generation,
					}),
				);
				commandLog.markSent(row.commandId, this.host.now());
			} catch (error) {
				logEvent(
					"outbox.send-failed",
					{ linkId: link.id, commandId: row.commandId, error: errorField(error) },
					"warn",
				);
				commandLog.markSendFailed(row.commandId, String(error));
				await timers.schedule(TIMERS.outbox, this.host.now() + FAILED_SEND_RETRY_MS);
			}
		}
	}

	/**
	 * The outbox alarm: re-sends what stayed quiet a full interval, and what an
	 * earlier process of this object sent (its send may be lost; see
	 * `RESTART_RESEND_MS`). Re-arms while rows wait.
	 */
	async resend(): Promise<void> {
		await this.sendBefore(this.overdueBefore());
	}

	/**
	 * The reconciler's check: sends the overdue rows now (quiet for a full
	 * interval, or sent by an earlier process) unless a dead letter blocks the
	 * log, and makes sure the resend timer is armed. Returns how many were sent.
	 */
	async resendOverdue(): Promise<number> {
		const { commandLog } = this.host;
		if (!commandLog.hasOutbox()) return 0;
		const overdue = commandLog.dueForSend(this.overdueBefore()).length;
		if (overdue > 0) await this.sendBefore(this.overdueBefore());
		if (!this.host.timers.has(TIMERS.outbox)) await this.armResend();
		return overdue;
	}

	/** Rows last sent before this are overdue: a full interval ago, or by an earlier process. */
	private overdueBefore(): number {
		return overdueBefore(this.host.now(), this.startedAt, this.resendAfterMs());
	}

	/**
	 * On start (inside the constructor's `blockConcurrencyWhile`): when the log
	 * has unsent or earlier-sent rows, the outbox timer is pulled in to
	 * `RESTART_RESEND_MS` from now instead of waiting out its interval.
	 */
	onStart(): void {
		if (this.host.commandLog.hasOutbox())
			this.host.timers.scheduleInTransaction(TIMERS.outbox, this.startedAt + RESTART_RESEND_MS);
	}

	/** Re-arms the resend alarm while anything is left in the outbox. */
	async rearmIfPending(): Promise<void> {
		if (this.row.exists && this.host.commandLog.hasOutbox()) await this.armResend();
	}

	private resendAfterMs(): number {
		const configured = Number(this.host.env.OUTBOX_RESEND_MS);
		return Number.isFinite(configured) && configured > 0 ? configured : 15_000;
	}
}
