/**
 * The transactional outbox: a row written in the same storage transaction as
 * the change that causes it, sent after the commit, re-sent by the alarm until
 * the send succeeds. Today it carries command messages to the
 * `link-commands` queue; webhook events (a second kind of row, written with
 * the transition or finalize they announce) belong here too.
 */
import type { CommandKind } from "../../contract/enums";
import { STEPS } from "../../domain/commands";
import { newCommandId } from "../../lib/ids";
import { TIMERS } from "../../storage/names";
import type { CommandRecord } from "../command-log";
import type { LinkHost } from "../host";
import type { LinkRecord } from "../link-store";
import type { LinkState } from "./link-state";

/** How soon a failed send is tried again. */
const FAILED_SEND_RETRY_MS = 1_000;

export class Outbox {
	constructor(
		private readonly host: LinkHost,
		private readonly state: LinkState,
	) {}

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
			seq: this.host.log.nextSeq(),
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
		};
		this.host.log.insert(command);
		return command;
	}

	/** After a command commits: send it, arm the resend alarm, and (terminal commands) project `closing`. */
	async afterAccept(raisesFence: boolean): Promise<void> {
		await this.armResend();
		await this.sendDue(0);
		if (raisesFence) await this.state.republish();
	}

	/** Arms the resend alarm one resend interval from now. */
	async armResend(): Promise<void> {
		await this.host.timers.schedule(TIMERS.outbox, this.host.now() + this.resendAfterMs());
	}

	/** Sends outbox rows quiet for `quietMs`; a failed send stays in the outbox for the alarm. */
	async sendDue(quietMs: number): Promise<void> {
		const link = this.state.link();
		if (!link) return;
		const { log, env, timers } = this.host;
		const head = log.unfinished()[0];
		// A dead-lettered command blocks the log: re-sending the rest would only spin.
		if (head?.status === "dead_lettered") return;
		for (const row of log.dueForSend(this.host.now() - quietMs)) {
			try {
				this.host.hooks().beforeSend?.();
				await env.LINK_COMMANDS.send({
					v: 1,
					linkId: link.id,
					commandId: row.commandId,
					seq: row.seq,
				});
				log.markSent(row.commandId, this.host.now());
			} catch (error) {
				console.error(
					"queue send failed; the outbox alarm will retry",
					row.commandId,
					String(error),
				);
				log.markSendFailed(row.commandId, String(error));
				await timers.schedule(TIMERS.outbox, this.host.now() + FAILED_SEND_RETRY_MS);
			}
		}
	}

	/** The outbox alarm: re-sends what stayed quiet a full interval, and re-arms while rows wait. */
	async resend(): Promise<void> {
		await this.sendDue(this.resendAfterMs());
	}

	/** Re-arms the resend alarm while anything is left in the outbox. */
	async rearmIfPending(): Promise<void> {
		if (this.state.exists && this.host.log.hasOutbox()) await this.armResend();
	}

	private resendAfterMs(): number {
		const configured = Number(this.host.env.OUTBOX_RESEND_MS);
		return Number.isFinite(configured) && configured > 0 ? configured : 15_000;
	}
}
