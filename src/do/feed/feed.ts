/**
 * A link's change feed (docs/webhooks.md, "Where events come from"): its
 * events in seq order, each offered to every sink (sinks.ts). `record` runs
 * inside the storage transaction of the change it announces: the event row
 * and a safety timer commit with the change or not at all. `afterCommit`
 * then arms the alarm and delivers; a sink that fails (or a delivery that
 * never happens: an eviction right after the commit) is offered the same
 * events again by the `events` timer until it acknowledges them. Delivery is
 * at least once, in seq order per sink; the event id is the `webhook-id` of
 * every webhook delivery, so receivers drop duplicates.
 */
import type { WebhookEventType } from "../../contract/enums";
import { randomBase32 } from "../../lib/crypto";
import { errorField, logEvent } from "../../lib/log";
import { TIMERS } from "../../storage/names";
import { type LinkRecord, loadLink } from "../link-store";
import type { Sql } from "../sql";
import type { Timers } from "../timers";
import type { EventRow, FeedLog } from "./log";
import type { FeedEvent, FeedPayload, Sink, SinkContext } from "./sink";
import { SINKS } from "./sinks";

/** How soon the timer offers events again after a failed delivery (and the safety net after a commit). */
const RETRY_MS = 5_000;

export class Feed {
	constructor(
		private readonly sql: Sql,
		private readonly log: FeedLog,
		private readonly timers: Timers,
		private readonly context: () => SinkContext,
		private readonly now: () => number,
		private readonly sinks: readonly Sink[] = SINKS,
	) {}

	/**
	 * Appends an event of `link` (call inside the transaction that commits the
	 * change). Its data carries the link id, the event's seq and the link's epoch.
	 */
	record(link: LinkRecord, type: WebhookEventType, data: Record<string, unknown> = {}): void {
		const now = this.now();
		const seq = this.log.nextSeq();
		const payload: FeedPayload = {
			type,
			timestamp: new Date(now).toISOString(),
			data: { linkId: link.id, seq, epoch: link.epoch, ...data },
		};
		this.log.insert({
			seq,
			id: `evt_${randomBase32(26)}`,
			type,
			payload: JSON.stringify(payload),
			createdAt: now,
		});
		this.timers.scheduleInTransaction(TIMERS.events, now + RETRY_MS);
	}

	/** After a commit that may have recorded events: arm the alarm, then deliver them. */
	async afterCommit(): Promise<void> {
		if (!this.log.hasUnsent()) return;
		await this.timers.rearm();
		await this.flush();
	}

	/**
	 * Offers each sink every event after its cursor, oldest first; a sink that
	 * fails is left to the `events` timer, which runs until every sink caught up.
	 */
	async flush(): Promise<void> {
		const link = loadLink(this.sql);
		if (!link) return;
		let behind = false;
		for (const sink of this.sinks) if (!(await this.catchUp(sink, link))) behind = true;
		if (behind) await this.timers.reschedule(TIMERS.events, this.now() + RETRY_MS);
		else await this.timers.cancel(TIMERS.events);
	}

	/** Delivers to `sink` batch after batch until it has every event; false when a delivery failed. */
	private async catchUp(sink: Sink, link: LinkRecord): Promise<boolean> {
		for (;;) {
			const rows = this.log.after(this.log.cursor(sink.name), sink.batch);
			const last = rows.at(-1);
			if (!last) return true;
			try {
				await sink.deliver(
					rows.map((row) => feedEvent(row, link)),
					this.context(),
				);
			} catch (error) {
				logEvent(
					"events.send-failed",
					{ linkId: link.id, sink: sink.name, events: rows.length, error: errorField(error) },
					"error",
				);
				return false;
			}
			this.log.acknowledge(sink.name, last.seq);
			this.log.markSent(Math.min(...this.sinks.map((s) => this.log.cursor(s.name))), this.now());
		}
	}
}

/** A stored event as sinks receive it. */
function feedEvent(row: EventRow, link: LinkRecord): FeedEvent {
	const payload = JSON.parse(row.payload) as FeedPayload;
	return {
		seq: row.seq,
		epoch: payload.data.epoch,
		id: row.id,
		type: row.type,
		linkId: link.id,
		ownerId: link.ownerId,
		payload,
		createdAt: row.createdAt,
	};
}
