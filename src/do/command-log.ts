/**
 * The command log of one link (tables `commands`, `outbox`, `idempotency`):
 * typed reads and writes, no decisions. Callers run writes that must commit
 * together inside one `transactionSync`.
 */
import { type CommandKind, type CommandStatus, isFinal, type StepName } from "../contract/enums";
import { isTerminalKind, type PendingCommand } from "../domain/commands";
import type { CommandView } from "./rpc";
import type { Sql } from "./sql";

type CommandRow = {
	id: string;
	seq: number;
	kind: string;
	actor: string;
	payload: string;
	status: string;
	accepted_epoch: number;
	applied_epoch: number | null;
	result: string | null;
	error: string | null;
	attempts: number;
	steps: string;
	created_at: string;
	updated_at: string;
	finished_at: string | null;
	generation: number;
	dead_letter_recorded: number;
};

export interface Step {
	name: StepName;
	done: boolean;
}

export interface CommandRecord {
	id: string;
	seq: number;
	kind: CommandKind;
	actor: string;
	payload: Record<string, unknown>;
	status: CommandStatus;
	acceptedEpoch: number;
	appliedEpoch: number | null;
	result: string | null;
	error: string | null;
	attempts: number;
	steps: Step[];
	createdAt: string;
	updatedAt: string;
	finishedAt: string | null;
	/** Replay generation: 0 when accepted, +1 per admin replay (queue messages carry it). */
	generation: number;
	/** Whether the current dead letter (status `dead_lettered`) is recorded in D1. */
	deadLetterRecorded: boolean;
}

const UNFINISHED = "('accepted', 'applying', 'dead_lettered')";

function fromRow(r: CommandRow): CommandRecord {
	return {
		id: r.id,
		seq: r.seq,
		kind: r.kind as CommandKind,
		actor: r.actor,
		payload: JSON.parse(r.payload) as Record<string, unknown>,
		status: r.status as CommandStatus,
		acceptedEpoch: r.accepted_epoch,
		appliedEpoch: r.applied_epoch,
		result: r.result,
		error: r.error,
		attempts: r.attempts,
		steps: JSON.parse(r.steps) as Step[],
		createdAt: r.created_at,
		updatedAt: r.updated_at,
		finishedAt: r.finished_at,
		generation: r.generation,
		deadLetterRecorded: r.dead_letter_recorded === 1,
	};
}

export function commandView(linkId: string, c: CommandRecord): CommandView {
	return {
		id: c.id,
		linkId,
		seq: c.seq,
		kind: c.kind,
		actor: c.actor,
		status: c.status,
		acceptedEpoch: c.acceptedEpoch,
		appliedEpoch: c.appliedEpoch,
		result: c.result,
		error: c.error,
		attempts: c.attempts,
		steps: c.steps,
		createdAt: c.createdAt,
		updatedAt: c.updatedAt,
		finishedAt: c.finishedAt,
	};
}

export class CommandLog {
	constructor(private readonly sql: Sql) {}

	get(id: string): CommandRecord | null {
		const r = this.sql.one<CommandRow>("SELECT * FROM commands WHERE id = ?", id);
		return r ? fromRow(r) : null;
	}

	/** Commands not final yet, in seq order. */
	unfinished(): CommandRecord[] {
		return this.sql
			.all<CommandRow>(`SELECT * FROM commands WHERE status IN ${UNFINISHED} ORDER BY seq`)
			.map(fromRow);
	}

	pending(): PendingCommand[] {
		return this.unfinished().map((c) => ({
			id: c.id,
			kind: c.kind,
			applied: c.appliedEpoch !== null,
		}));
	}

	/** Terminal commands accepted whose transition is not applied yet: the closing fence. */
	closingFence(): CommandRecord[] {
		return this.unfinished().filter((c) => isTerminalKind(c.kind) && c.appliedEpoch === null);
	}

	/** Commands cancelled after their transition applied whose cleanup steps are not all done. */
	cancelledWithOpenSteps(): CommandRecord[] {
		return this.sql
			.all<CommandRow>(
				"SELECT * FROM commands WHERE status = 'cancelled' AND applied_epoch IS NOT NULL ORDER BY seq",
			)
			.map(fromRow)
			.filter((c) => c.steps.some((s) => !s.done));
	}

	/** Dead-lettered commands whose dead letter is not recorded in D1 yet. */
	unrecordedDeadLetters(): CommandRecord[] {
		return this.sql
			.all<CommandRow>(
				"SELECT * FROM commands WHERE status = 'dead_lettered' AND dead_letter_recorded = 0 ORDER BY seq",
			)
			.map(fromRow);
	}

	/** The outbox row of a command (null once it reached a final status). */
	outboxRow(commandId: string): { sentAt: number | null; sendCount: number } | null {
		return this.sql.one<{ sentAt: number | null; sendCount: number }>(
			"SELECT sent_at AS sentAt, send_count AS sendCount FROM outbox WHERE command_id = ?",
			commandId,
		);
	}

	/** Newest first; `beforeSeq` pages backwards. */
	list(limit: number, beforeSeq: number | null): CommandRecord[] {
		return this.sql
			.all<CommandRow>(
				"SELECT * FROM commands WHERE seq < ? ORDER BY seq DESC LIMIT ?",
				beforeSeq ?? Number.MAX_SAFE_INTEGER,
				limit,
			)
			.map(fromRow);
	}

	nextSeq(): number {
		return (this.sql.one<{ s: number | null }>("SELECT MAX(seq) AS s FROM commands")?.s ?? 0) + 1;
	}

	/** Inserts a command and its outbox row (call inside a transaction). */
	insert(c: CommandRecord): void {
		this.sql.run(
			`INSERT INTO commands (id, seq, kind, actor, payload, status, accepted_epoch, applied_epoch,
				result, error, attempts, steps, created_at, updated_at, finished_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, 0, ?, ?, ?, NULL)`,
			c.id,
			c.seq,
			c.kind,
			c.actor,
			JSON.stringify(c.payload),
			c.status,
			c.acceptedEpoch,
			JSON.stringify(c.steps),
			c.createdAt,
			c.updatedAt,
		);
		this.sql.run("INSERT INTO outbox (command_id, seq) VALUES (?, ?)", c.id, c.seq);
	}

	update(
		id: string,
		fields: Partial<
			Pick<
				CommandRecord,
				| "status"
				| "appliedEpoch"
				| "result"
				| "error"
				| "attempts"
				| "steps"
				| "finishedAt"
				| "generation"
				| "deadLetterRecorded"
			>
		>,
	): void {
		const now = new Date().toISOString();
		const sets: string[] = ["updated_at = ?"];
		const params: SqlStorageValue[] = [now];
		const columns: Record<string, string> = {
			status: "status",
			appliedEpoch: "applied_epoch",
			result: "result",
			error: "error",
			attempts: "attempts",
			steps: "steps",
			finishedAt: "finished_at",
			generation: "generation",
			deadLetterRecorded: "dead_letter_recorded",
		};
		for (const [key, value] of Object.entries(fields)) {
			const column = columns[key];
			if (!column || value === undefined) continue;
			sets.push(`${column} = ?`);
			params.push(
				key === "steps"
					? JSON.stringify(value)
					: typeof value === "boolean"
						? Number(value)
						: (value as SqlStorageValue),
			);
		}
		this.sql.run(`UPDATE commands SET ${sets.join(", ")} WHERE id = ?`, ...params, id);
		if (fields.status && isFinal(fields.status)) {
			this.sql.run("DELETE FROM outbox WHERE command_id = ?", id);
		}
	}

	// --- outbox ---

	/** Outbox rows of commands that should be (re)sent: not final, not dead-lettered, quiet since `before`. */
	dueForSend(before: number): { commandId: string; seq: number; generation: number }[] {
		return this.sql.all<{ commandId: string; seq: number; generation: number }>(
			`SELECT o.command_id AS commandId, o.seq AS seq, c.generation AS generation FROM outbox o
			 JOIN commands c ON c.id = o.command_id
			 WHERE c.status IN ('accepted', 'applying') AND (o.sent_at IS NULL OR o.sent_at < ?)
			 ORDER BY o.seq`,
			before,
		);
	}

	/** True when some command still needs sending and the log is not blocked by a dead letter. */
	hasOutbox(): boolean {
		if (this.unfinished()[0]?.status === "dead_lettered") return false;
		return (
			this.sql.one(
				`SELECT 1 AS x FROM outbox o JOIN commands c ON c.id = o.command_id
				 WHERE c.status IN ('accepted', 'applying') LIMIT 1`,
			) !== null
		);
	}

	markSent(commandId: string, at: number): void {
		this.sql.run(
			"UPDATE outbox SET sent_at = ?, send_count = send_count + 1, last_error = NULL WHERE command_id = ?",
			at,
			commandId,
		);
	}

	/** A drain touching the command counts as a delivery: no resend while it is being worked on. */
	touch(commandId: string, at: number): void {
		this.sql.run("UPDATE outbox SET sent_at = ? WHERE command_id = ?", at, commandId);
	}

	markSendFailed(commandId: string, error: string): void {
		this.sql.run("UPDATE outbox SET last_error = ? WHERE command_id = ?", error, commandId);
	}

	// --- idempotency ---

	/** The id (of a command or an upload) an Idempotency-Key was first used for. */
	idempotent(scope: string, key: string): { requestHash: string; id: string } | null {
		const r = this.sql.one<{ request_hash: string; response: string }>(
			"SELECT request_hash, response FROM idempotency WHERE scope = ? AND key = ?",
			scope,
			key,
		);
		if (!r) return null;
		return {
			requestHash: r.request_hash,
			id: (JSON.parse(r.response) as { id: string }).id,
		};
	}

	/** Frees a remembered key (its first request ended without a result worth replaying). */
	forget(scope: string, key: string): void {
		this.sql.run("DELETE FROM idempotency WHERE scope = ? AND key = ?", scope, key);
	}

	remember(scope: string, key: string, requestHash: string, id: string): void {
		this.sql.run(
			"INSERT OR IGNORE INTO idempotency (scope, key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?)",
			scope,
			key,
			requestHash,
			JSON.stringify({ id }),
			Date.now(),
		);
	}
}
