/**
 * The narrow host every LinkDO service is built from: the object's SQL stores,
 * its timers, a storage transaction, the bindings it talks to, a clock and the
 * test hooks. Services never see the Durable Object itself.
 */
import { CommandLog } from "./command-log";
import { EventLog } from "./event-log";
import { Events } from "./events";
import { type LinkHooks, NO_HOOKS } from "./hooks";
import { Sql } from "./sql";
import { Timers } from "./timers";
import { UploadStore } from "./upload-store";

/** The bindings and variables a link's services use. */
export type LinkBindings = Pick<
	Env,
	| "FILES"
	| "DB"
	| "LINK_COMMANDS"
	| "WEBHOOK_DELIVERIES"
	| "OUTBOX_RESEND_MS"
	| "UPLOAD_IDLE_TIMEOUT_SECONDS"
>;

export interface LinkHost {
	readonly sql: Sql;
	readonly timers: Timers;
	/** The command log and its outbox rows (command-log.ts). */
	readonly commandLog: CommandLog;
	readonly uploads: UploadStore;
	/** Webhook events: recorded with their change, sent after the commit. */
	readonly events: Events;
	readonly env: LinkBindings;
	/** Runs `fn` in one storage transaction (synchronous: nothing else runs meanwhile). */
	transaction<T>(fn: () => T): T;
	/** Milliseconds since the epoch. */
	now(): number;
	/** The installed test hooks (none in production). */
	hooks(): LinkHooks;
}

export function linkHost(
	ctx: DurableObjectState,
	env: LinkBindings,
	hooks: () => LinkHooks = () => NO_HOOKS,
): LinkHost {
	const sql = new Sql(ctx.storage.sql);
	const timers = new Timers(sql, ctx.storage);
	const now = () => Date.now();
	return {
		sql,
		timers,
		commandLog: new CommandLog(sql),
		uploads: new UploadStore(sql),
		events: new Events(sql, new EventLog(sql), timers, () => env.WEBHOOK_DELIVERIES, now, hooks),
		env,
		transaction: (fn) => ctx.storage.transactionSync(fn),
		now,
		hooks,
	};
}
