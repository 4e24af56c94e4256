/**
 * The SQL of a link's change feed: the DO table `events`, one row per event,
 * inserted in the same storage transaction as the change it announces, and
 * `feed_cursors`, how far each sink has acknowledged (docs/storage.md).
 * `seq` orders a link's events; `sent_at` is set once every sink has
 * acknowledged the event.
 */
import type { WebhookEventType } from "../../contract/enums";
import type { Sql } from "../sql";

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

const rowOf = (r: Row): EventRow => ({
	seq: r.seq,
	id: r.id,
	type: r.type as WebhookEventType,
	payload: r.payload,
	createdAt: r.created_at,
	sentAt: r.sent_at,
});

export class FeedLog {
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

	/** Whether some event is not acknowledged by every sink yet. */
	hasUnsent(): boolean {
		return this.sql.one("SELECT 1 AS x FROM events WHERE sent_at IS NULL LIMIT 1") !== null;
	}

	/** Up to `limit` events after `seq`, oldest first. */
	after(seq: number, limit: number): EventRow[] {
		return this.sql
			.all<Row>("SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
			.map(rowOf);
	}

	/**
	 * The seq up to which sink `name` acknowledged: its cursor, or for a sink
	 * that never acknowledged anything, the newest event every sink has.
	 */
	cursor(name: string): number {
		const own = this.sql.one<{ seq: number }>("SELECT seq FROM feed_cursors WHERE sink = ?", name);
		if (own) return own.seq;
		return (
			this.sql.one<{ n: number | null }>(
				"SELECT MAX(seq) AS n FROM events WHERE sent_at IS NOT NULL",
			)?.n ?? 0
		);
	}

	/** Moves sink `name`'s cursor up to `seq` (never back). */
	acknowledge(name: string, seq: number): void {
		this.sql.run(
			`INSERT INTO feed_cursors (sink, seq) VALUES (?, ?)
			 ON CONFLICT (sink) DO UPDATE SET seq = MAX(seq, excluded.seq)`,
			name,
			seq,
		);
	}

	/** Marks the events up to `seq` as acknowledged by every sink. */
	markSent(seq: number, at: number): void {
		this.sql.run("UPDATE events SET sent_at = ? WHERE seq <= ? AND sent_at IS NULL", at, seq);
	}
}
