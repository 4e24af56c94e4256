/**
 * Pending timed work, kept in a table because a Durable Object has a single
 * alarm. `rearm` points the alarm at the earliest due timer.
 */
import type { TimerName } from "../storage/names";
import type { Sql } from "./sql";

/** The furthest ahead the alarm is ever set (a year); later timers wait in the table. */
export const MAX_ALARM_AHEAD_MS = 365 * 24 * 3_600_000;

export class Timers {
	constructor(
		private readonly sql: Sql,
		private readonly storage: DurableObjectStorage,
	) {}

	/** Schedules `name` at `dueAt` (ms), keeping an earlier schedule if one exists. */
	async schedule(name: TimerName, dueAt: number): Promise<void> {
		this.sql.run(
			`INSERT INTO timers (name, due_at) VALUES (?, ?)
			 ON CONFLICT (name) DO UPDATE SET due_at = MIN(due_at, excluded.due_at)`,
			name,
			dueAt,
		);
		await this.rearm();
	}

	/** Schedules `name` at exactly `dueAt`, replacing any earlier schedule. */
	async reschedule(name: TimerName, dueAt: number): Promise<void> {
		this.sql.run(
			"INSERT INTO timers (name, due_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET due_at = excluded.due_at",
			name,
			dueAt,
		);
		await this.rearm();
	}

	/**
	 * Schedules `name` inside a storage transaction (the row only; call
	 * `rearm()` after the commit). Keeps an earlier schedule.
	 */
	scheduleInTransaction(name: TimerName, dueAt: number): void {
		this.sql.run(
			`INSERT INTO timers (name, due_at) VALUES (?, ?)
			 ON CONFLICT (name) DO UPDATE SET due_at = MIN(due_at, excluded.due_at)`,
			name,
			dueAt,
		);
	}

	async cancel(name: TimerName): Promise<void> {
		this.sql.run("DELETE FROM timers WHERE name = ?", name);
		await this.rearm();
	}

	/** Whether `name` is scheduled. */
	has(name: TimerName): boolean {
		return this.sql.one("SELECT 1 AS x FROM timers WHERE name = ?", name) !== null;
	}

	/** Removes and returns the timers due at `now`. */
	takeDue(now: number): TimerName[] {
		const due = this.sql.all<{ name: string }>("SELECT name FROM timers WHERE due_at <= ?", now);
		this.sql.run("DELETE FROM timers WHERE due_at <= ?", now);
		return due.map((t) => t.name as TimerName);
	}

	/**
	 * Points the alarm at the earliest due timer, at most `MAX_ALARM_AHEAD_MS`
	 * ahead: the alarm API throws for far dates (after 2189), and a throw here
	 * would fail every call that re-arms, after its change was committed. An
	 * alarm that fires early finds nothing due and re-arms again.
	 */
	async rearm(): Promise<void> {
		const next = this.sql.one<{ due: number | null }>("SELECT MIN(due_at) AS due FROM timers");
		if (next?.due == null) await this.storage.deleteAlarm();
		else await this.storage.setAlarm(Math.min(next.due, Date.now() + MAX_ALARM_AHEAD_MS));
	}
}
