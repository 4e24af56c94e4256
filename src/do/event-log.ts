/**
 * The link's event outbox (webhooks, docs/webhooks.md): one row per event,
 * inserted in the same storage transaction as the change it announces (so
 * there is no event without its change and no change without its event),
 * sent to the `webhook-deliveries` queue after the commit, and re-sent by
 * the `events` timer until a send succeeds. `seq` orders a link's events.
 */
import type { WebhookEventType } from "../contract/enums";
import type { Sql } from "./sql";

export interface EventRow {
	seq: number;
	id: string;
	type: WebhookEventType;
	/** The exact JSON body every delivery sends: `{ type, timestamp, data }`. */
	payload: string;
	createdAt: number;
	sentAt: number | null;
}

type Row = {
	seq: number;
	id: string;
	type: string;
	payload: string;
	created_at: number;
	sent_at: number | null;
};

export class EventLog {
	constructor(private readonly sql: Sql) {}

	/** The seq the next event gets (1 for the first). */
	nextSeq(): number {
		return (this.sql.one<{ n: number | null }>("SELECT MAX(seq) AS n FROM events")?.n ?? 0) + 1;
	}

	insert(e: Omit<EventRow, "sentAt">): void {
		this.sql.run(
			"INSERT INTO events (seq, id, type, payload, created_at) VALUES (?, ?, ?, ?, ?)",
			e.seq,
			e.id,
			e.type,
			e.payload,
			e.createdAt,
		);
	}

	/** Events not sent yet, oldest first. */
	unsent(limit: number): EventRow[] {
		return this.sql
			.all<Row>("SELECT * FROM events WHERE sent_at IS NULL ORDER BY seq LIMIT ?", limit)
			.map((r) => ({
				seq: r.seq,
				id: r.id,
				type: r.type as WebhookEventType,
				payload: r.payload,
				createdAt: r.created_at,
				sentAt: r.sent_at,
			}));
	}

	markSent(seqs: readonly number[], at: number): void {
		for (const seq of seqs)
			this.sql.run("UPDATE events SET sent_at = ? WHERE seq = ? AND sent_at IS NULL", at, seq);
	}

	/** Every event of the link, oldest first (tests and the audit). */
	all(): EventRow[] {
		return this.sql.all<Row>("SELECT * FROM events ORDER BY seq").map((r) => ({
			seq: r.seq,
			id: r.id,
			type: r.type as WebhookEventType,
			payload: r.payload,
			createdAt: r.created_at,
			sentAt: r.sent_at,
		}));
	}
}
