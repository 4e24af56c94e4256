/**
 * The D1 `dead_letters` table: queue messages that ran out of retries (one
 * pending row per command; duplicates fold into it) and messages the
 * consumer refused as invalid. Written by the consumers, read and settled by
 * the admin routes.
 */
import type { DeadLetterStatus } from "../contract/enums";
import { D1 } from "../storage/names";
import { type Keyset, keysetPage, type Page } from "./keyset";

export type { DeadLetterStatus };

export interface DeadLetterRow {
	id: string;
	messageId: string;
	queue: string;
	linkId: string | null;
	commandId: string | null;
	seq: number | null;
	body: string;
	attempts: number;
	lastError: string | null;
	status: DeadLetterStatus;
	createdAt: string;
	updatedAt: string;
}

type Row = {
	id: string;
	message_id: string;
	queue: string;
	link_id: string | null;
	command_id: string | null;
	seq: number | null;
	body: string;
	attempts: number;
	last_error: string | null;
	status: string;
	created_at: string;
	updated_at: string;
};

const deadLetterOf = (r: Row): DeadLetterRow => ({
	id: r.id,
	messageId: r.message_id,
	queue: r.queue,
	linkId: r.link_id,
	commandId: r.command_id,
	seq: r.seq,
	body: r.body,
	attempts: r.attempts,
	lastError: r.last_error,
	status: r.status as DeadLetterStatus,
	createdAt: r.created_at,
	updatedAt: r.updated_at,
});

/** The stored body: the message as JSON, cut at 4096 characters. */
function bodyText(body: unknown): string {
	try {
		return JSON.stringify(body)?.slice(0, 4096) ?? "undefined";
	} catch {
		return String(body).slice(0, 4096);
	}
}

const newId = () => `dl_${crypto.randomUUID()}`;

/** Records a dead letter; a second one for a command still pending folds into the first. */
export async function record(
	db: D1Database,
	entry: {
		messageId: string;
		queue: string;
		linkId: string;
		commandId: string;
		seq: number;
		body: unknown;
		attempts: number;
		lastError: string | null;
	},
): Promise<void> {
	const now = new Date().toISOString();
	await db
		.prepare(
			`INSERT INTO ${D1.deadLetters} (id, message_id, queue, link_id, command_id, seq, body, attempts, last_error, status, created_at, updated_at)
			 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?10)
			 ON CONFLICT (command_id) WHERE status = 'pending'
			 DO UPDATE SET attempts = MAX(attempts, ?8), last_error = ?9, updated_at = ?10`,
		)
		.bind(
			newId(),
			entry.messageId,
			entry.queue,
			entry.linkId,
			entry.commandId,
			entry.seq,
			bodyText(entry.body),
			entry.attempts,
			entry.lastError,
			now,
		)
		.run();
}

/**
 * Records a webhook message nobody could deliver (its schedule ran out, or the
 * queue gave up on it): pending, with no command; an admin's replay sends the
 * stored message again, a discard only settles the row.
 */
export async function recordWebhook(
	db: D1Database,
	entry: {
		messageId: string;
		queue: string;
		linkId: string | null;
		body: unknown;
		attempts: number;
		lastError: string | null;
	},
): Promise<void> {
	const now = new Date().toISOString();
	await db
		.prepare(
			`INSERT INTO ${D1.deadLetters} (id, message_id, queue, link_id, body, attempts, last_error, status, created_at, updated_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
		)
		.bind(
			newId(),
			entry.messageId,
			entry.queue,
			entry.linkId,
			bodyText(entry.body),
			entry.attempts,
			entry.lastError,
			now,
			now,
		)
		.run();
}

/** Records a message that failed validation: acked, never retried, visible to admins. */
export async function recordInvalid(
	db: D1Database,
	entry: { messageId: string; queue: string; body: unknown; attempts: number; error: string },
): Promise<void> {
	const now = new Date().toISOString();
	await db
		.prepare(
			`INSERT INTO ${D1.deadLetters} (id, message_id, queue, body, attempts, last_error, status, created_at, updated_at)
			 VALUES (?, ?, ?, ?, ?, ?, 'invalid', ?, ?)`,
		)
		.bind(
			newId(),
			entry.messageId,
			entry.queue,
			bodyText(entry.body),
			entry.attempts,
			entry.error,
			now,
			now,
		)
		.run();
}

export async function get(db: D1Database, id: string): Promise<DeadLetterRow | null> {
	const r = await db.prepare(`SELECT * FROM ${D1.deadLetters} WHERE id = ?`).bind(id).first<Row>();
	return r ? deadLetterOf(r) : null;
}

/** One page of dead letters, newest first, optionally in one status and/or of one link. */
export function list(
	db: D1Database,
	filter: { status?: string; linkId?: string },
	after: Keyset | null,
	limit: number,
): Promise<Page<DeadLetterRow>> {
	return keysetPage(
		db,
		D1.deadLetters,
		{ status: filter.status, link_id: filter.linkId },
		after,
		limit,
		deadLetterOf,
	);
}

/** Moves a pending dead letter to `status`; false when it was not pending (handled already). */
export async function settle(
	db: D1Database,
	id: string,
	status: "replayed" | "discarded",
): Promise<boolean> {
	const r = await db
		.prepare(
			`UPDATE ${D1.deadLetters} SET status = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
		)
		.bind(status, new Date().toISOString(), id)
		.run();
	return r.meta.changes === 1;
}
