/**
 * Webhook events of one link (docs/webhooks.md), on top of its event outbox
 * (event-log.ts). `record` runs inside the storage transaction of the change
 * it announces: the event row and a safety timer commit with the change or
 * not at all. `afterCommit` then arms the alarm and sends; a send that fails
 * (or never happens: an eviction right after the commit) is retried by the
 * `events` timer until it succeeds. Delivery is at least once; the event id
 * is the `webhook-id` of every delivery, so receivers drop duplicates.
 */

import type { WebhookEventType } from "../contract/enums";
import { randomBase32 } from "../lib/crypto";
import { errorField, logEvent } from "../lib/log";
import * as WebhookDeliveries from "../queues/webhook-deliveries";
import { TIMERS } from "../storage/names";
import type { EventLog } from "./event-log";
import type { LinkHooks } from "./hooks";
import { type LinkRecord, loadLink } from "./link-store";
import type { Sql } from "./sql";
import type { Timers } from "./timers";

/** How soon the timer tries again after a failed send (and the safety net after a commit). */
const RETRY_MS = 5_000;
/** Events per queue send (Cloudflare Queues take up to 100 messages per sendBatch). */
const SEND_BATCH = 100;

export class Events {
	constructor(
		private readonly sql: Sql,
		private readonly log: EventLog,
		private readonly timers: Timers,
		private readonly queue: () => Queue | undefined,
		private readonly now: () => number,
		private readonly hooks: () => LinkHooks,
	) {}

	/**
	 * Appends an event of `link` (call inside the transaction that commits the
	 * change). Its data carries the link id, the event's seq and the link's epoch.
	 */
	record(link: LinkRecord, type: WebhookEventType, data: Record<string, unknown> = {}): void {
		const now = this.now();
		const seq = this.log.nextSeq();
		const payload = {
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

	/** After a commit that may have recorded events: arm the alarm, then send them. */
	async afterCommit(): Promise<void> {
		if (this.log.unsent(1).length === 0) return;
		await this.timers.rearm();
		await this.flush();
	}

	/** Sends every unsent event, oldest first; on failure leaves them to the `events` timer. */
	async flush(): Promise<void> {
		const link = loadLink(this.sql);
		const queue = this.queue();
		if (!link || !queue) return;
		for (;;) {
			const rows = this.log.unsent(SEND_BATCH);
			if (rows.length === 0) break;
			try {
				this.hooks().beforeEventSend?.();
				await WebhookDeliveries.sendBatch(
					queue,
					rows.map((r) => ({
						v: 1,
						kind: "event",
						id: r.id,
						ownerId: link.ownerId,
						linkId: link.id,
						payload: JSON.parse(r.payload),
					})),
				);
			} catch (error) {
				logEvent(
					"events.send-failed",
					{ linkId: link.id, events: rows.length, error: errorField(error) },
					"error",
				);
				await this.timers.reschedule(TIMERS.events, this.now() + RETRY_MS);
				return;
			}
			this.log.markSent(
				rows.map((r) => r.seq),
				this.now(),
			);
		}
		await this.timers.cancel(TIMERS.events);
	}
}
