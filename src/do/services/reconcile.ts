/**
 * The link's side of the scheduled reconciler (src/reconciler): one call
 * re-sends an overdue outbox, writes dead-letter rows not recorded in D1 yet,
 * re-arms the sweep while a closed link's R2 prefix holds objects no
 * finalized file owns, and answers the link's true projection so the
 * reconciler can repair a drifted D1 row. Each repair is listed; a second
 * call right after repairs nothing.
 */

import { isTerminal } from "../../domain/lifecycle";
import { R2Keys, TIMERS } from "../../storage/names";
import type { LinkHost } from "../host";
import type { LinkRecord } from "../link-store";
import type { ReconcileRepair, ReconcileReport } from "../rpc";
import type { DeadLetters } from "./dead-letters";
import type { LinkRow } from "./link-row";
import type { Outbox } from "./outbox";

export class Reconcile {
	constructor(
		private readonly host: LinkHost,
		private readonly row: LinkRow,
		private readonly outbox: Outbox,
		private readonly deadLetters: DeadLetters,
	) {}

	/** See the module comment; null for an object that holds no link. */
	async run(): Promise<ReconcileReport | null> {
		if (!this.row.link()) return null;
		const repairs: ReconcileRepair[] = [];
		const resent = await this.outbox.resendOverdue();
		if (resent > 0) repairs.push({ kind: "outbox-resent", count: resent });
		for (const commandId of await this.deadLetters.recordPending())
			repairs.push({ kind: "dead-letter-recorded", commandId });
		const link = this.row.link();
		if (!link) return null;
		let swept = false;
		if (isTerminal(link.state)) {
			const { timers } = this.host;
			const leftovers = await this.leftovers(link);
			if (leftovers > 0 && !timers.has(TIMERS.sweep)) {
				await timers.schedule(TIMERS.sweep, this.host.now());
				repairs.push({ kind: "sweep-rearmed", count: leftovers });
			}
			swept =
				leftovers === 0 &&
				!timers.has(TIMERS.sweep) &&
				this.host.commandLog.unfinished().length === 0;
		}
		return { linkId: link.id, view: this.row.view(link), version: link.version, swept, repairs };
	}

	/** Objects under the link's prefix that no finalized file owns (every object once deleted). */
	private async leftovers(link: LinkRecord): Promise<number> {
		const keep = link.state === "deleted" ? new Set<string>() : this.host.uploads.finalizedIds();
		let count = 0;
		for await (const keys of this.host.store.list(R2Keys.linkPrefix(link.id)))
			count += keys.filter((k) => !keep.has(R2Keys.uploadIdOf(k))).length;
		return count;
	}
}
