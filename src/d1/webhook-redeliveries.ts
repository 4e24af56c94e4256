/**
 * The D1 `webhook_redeliveries` table: redeliveries whose schedule has not
 * ended, at most one per endpoint and event (the primary key), so that a
 * redelivery asked for meanwhile joins the pending one (docs/webhooks.md
 * "Redelivery and test events"). Written by the redeliver route (`begin`,
 * and `end` when its queue send fails) and the webhook consumers (`extend`
 * after a failed attempt, `end` when the schedule is over).
 */
import { D1 } from "../storage/names";

const T = D1.webhookRedeliveries;

export interface NewRedelivery {
	endpointId: string;
	eventId: string;
	/** `wrd_…`, the id it gets if it starts. */
	id: string;
	/** Epoch ms until which it counts as pending. */
	leaseUntil: number;
	nowMs: number;
}

/**
 * Starts the redelivery unless one for the same endpoint and event is still
 * pending (its lease not run out): `{ id, merged: false }` when this one
 * started (the caller sends its message), else the pending one's id with
 * `merged: true`. The start is one statement on the primary key, so of
 * concurrent redeliveries exactly one starts.
 */
export async function begin(
	db: D1Database,
	r: NewRedelivery,
): Promise<{ id: string; merged: boolean }> {
	for (let attempt = 0; ; attempt++) {
		const started = await db
			.prepare(
				`INSERT INTO ${T} (endpoint_id, event_id, id, lease_until, created_at)
				 VALUES (?, ?, ?, ?, ?)
				 ON CONFLICT (endpoint_id, event_id) DO UPDATE SET
					id = excluded.id, lease_until = excluded.lease_until, created_at = excluded.created_at
				 WHERE lease_until <= ?
				 RETURNING id`,
			)
			.bind(r.endpointId, r.eventId, r.id, r.leaseUntil, new Date(r.nowMs).toISOString(), r.nowMs)
			.first<{ id: string }>();
		if (started) return { id: started.id, merged: false };
		const pending = await db
			.prepare(`SELECT id FROM ${T} WHERE endpoint_id = ? AND event_id = ? AND lease_until > ?`)
			.bind(r.endpointId, r.eventId, r.nowMs)
			.first<{ id: string }>();
		if (pending) return { id: pending.id, merged: true };
		// The pending one ended between the two statements: start again.
		if (attempt >= 2) throw new Error(`redelivery of ${r.eventId}: kept losing a race`);
	}
}

/** The redelivery `id` is still pending until `leaseUntil` (its next attempt is planned). */
export async function extend(
	db: D1Database,
	endpointId: string,
	eventId: string,
	id: string,
	leaseUntil: number,
): Promise<void> {
	await db
		.prepare(`UPDATE ${T} SET lease_until = ? WHERE endpoint_id = ? AND event_id = ? AND id = ?`)
		.bind(leaseUntil, endpointId, eventId, id)
		.run();
}

/** The redelivery `id` is over (delivered, given up, or never sent); a later one is left alone. */
export async function end(
	db: D1Database,
	endpointId: string,
	eventId: string,
	id: string,
): Promise<void> {
	await db
		.prepare(`DELETE FROM ${T} WHERE endpoint_id = ? AND event_id = ? AND id = ?`)
		.bind(endpointId, eventId, id)
		.run();
}
