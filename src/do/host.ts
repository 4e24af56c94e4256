/**
 * The narrow host every LinkDO service is built from: the object's SQL stores,
 * its timers, a storage transaction, the object store, the bindings it talks
 * to, a clock and the test hooks. Services never see the Durable Object
 * itself, nor the bucket (only the `ObjectStore` over it).
 */
import type { ObjectStore } from "../storage/object-store";
import { r2Store } from "../storage/r2";
import type { LinkBindings } from "./bindings";
import { CommandLog } from "./command-log";
import { Feed } from "./feed/feed";
import { FeedLog } from "./feed/log";
import { type LinkHooks, NO_HOOKS } from "./hooks";
import { Sql } from "./sql";
import { Timers } from "./timers";
import { UploadStore } from "./upload-store";

export type { LinkBindings };

export interface LinkHost {
	readonly sql: Sql;
	readonly timers: Timers;
	/** The command log and its outbox rows (command-log.ts). */
	readonly commandLog: CommandLog;
	readonly uploads: UploadStore;
	/** The link's change feed: events recorded with their change, delivered to every sink after the commit. */
	readonly events: Feed;
	/** Where file bytes live (R2, behind the object store's interface). */
	readonly store: ObjectStore;
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
	env: LinkBindings & Pick<Env, "FILES">,
	hooks: () => LinkHooks = () => NO_HOOKS,
): LinkHost {
	const sql = new Sql(ctx.storage.sql);
	const timers = new Timers(sql, ctx.storage);
	const now = () => Date.now();
	const host: LinkHost = {
		sql,
		timers,
		commandLog: new CommandLog(sql),
		uploads: new UploadStore(sql),
		events: new Feed(sql, new FeedLog(sql), timers, () => ({ env: host.env, hooks: hooks() }), now),
		store: r2Store(env.FILES),
		env,
		transaction: (fn) => ctx.storage.transactionSync(fn),
		now,
		hooks,
	};
	return host;
}
