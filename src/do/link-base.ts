/**
 * The core of LinkDO: storage handles, the link row, views, the D1
 * projection, the outbox, and the checks every operation goes through.
 * LinkCommands, LinkUploads and LinkDO build on it, one concern per file.
 *
 * Durable Objects run one request at a time only between awaits on their own
 * storage: an await on D1, R2 or a queue lets other requests in. So every
 * decision and its write happen synchronously (or inside one storage
 * transaction) before the first such await.
 */
import { DurableObject } from "cloudflare:workers";
import * as LinksTable from "../d1/links";
import { type Caller, mayActOn } from "../domain/actor";
import { type CommandKind, STEPS } from "../domain/commands";
import {
	applyTransition,
	checkIfMatch,
	checkSettingsIfMatch,
	decide,
	type IfMatch,
	isTerminal,
	type Operation,
	phaseOf,
	refusal,
} from "../domain/lifecycle";
import { fail, ok, problem, type Result } from "../domain/problems";
import { expiryMs, type LinkSettings, type SettingsPatch } from "../domain/settings";
import { newCommandId } from "../lib/ids";
import { TIMERS } from "../storage/names";
import { CommandLog, type CommandRecord, commandView } from "./command-log";
import { type LinkRecord, loadLink, markProjected, recordTransition, saveLink } from "./link-store";
import { hasSchema, migrate } from "./schema";
import { Sql } from "./sql";
import { Timers } from "./timers";
import { UploadStore } from "./upload-store";
import type { LinkView } from "./views";

/** How long to wait before retrying a failed D1 projection write. */
const PROJECTION_RETRY_MS = 5_000;

export interface CreateLinkInput {
	linkId: string;
	ownerId: string;
	tokenHash: string;
	settings: LinkSettings;
	passwordHash: string | null;
}

/** A settings patch as it reaches the DO: the password already hashed at the edge. */
export type SettingsUpdate = Omit<SettingsPatch, "password"> & { passwordHash?: string | null };

/**
 * Test seams: counts of failures to inject. Set through runInDurableObject;
 * empty (and free) in production. Lost on eviction, like any in-memory state.
 */
export interface Faults {
	/** Throw before running step `name`, this many times. */
	failStep?: Record<string, number>;
	/** Make this many queue sends fail. */
	failSend?: number;
	/** Throw this many times before a command's transition is committed. */
	failApply?: number;
	/**
	 * The race the epoch exists for: apply a lifecycle change (as admin)
	 * between an upload's admit and its record. `at: "admit"` applies it as the
	 * admit answers (so the R2 write lands after the terminal cleanup ran);
	 * `at: "record"` as the record call arrives (the write landed before).
	 */
	race?: { kind: "revoke" | "delete" | "pause"; at: "admit" | "record" };
	/**
	 * Runs `run` once, awaited, at a point where finalize awaits something other
	 * than its own storage: `finalize-check` right after its R2 object check,
	 * `finalize-index` right after its D1 index write. Lets a test land another
	 * call (an abort, say) exactly there. Costs nothing (no await) when unset.
	 */
	pauseAt?: { at: FinalizeSeam; run: () => Promise<void> };
}

/** The points inside finalize where `Faults.pauseAt` can run a test's callback. */
export type FinalizeSeam = "finalize-check" | "finalize-index";

export abstract class LinkBase extends DurableObject<Env> {
	protected readonly sql: Sql;
	protected readonly timers: Timers;
	protected readonly log: CommandLog;
	protected readonly uploads: UploadStore;
	faults: Faults = {};
	/**
	 * Whether this object holds a link's schema. An object that was never
	 * created writes nothing: its schema is made by `create`, so a request
	 * naming an unknown link leaves no storage behind.
	 */
	protected ready: boolean;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = new Sql(ctx.storage.sql);
		this.timers = new Timers(this.sql, ctx.storage);
		this.log = new CommandLog(this.sql);
		this.uploads = new UploadStore(this.sql);
		this.ready = hasSchema(this.sql);
		if (this.ready) this.migrate();
	}

	/** Applies the schema migrations not applied yet (all of them on first create). */
	protected migrate(): void {
		migrate(this.sql, (fn) => this.ctx.storage.transactionSync(fn));
		this.ready = true;
	}

	/** The link row, or null before create. */
	protected link(): LinkRecord | null {
		return this.ready ? loadLink(this.sql) : null;
	}

	protected newCommand(
		link: LinkRecord,
		kind: CommandKind,
		actor: string,
		payload: Record<string, unknown> = {},
	): CommandRecord {
		const now = new Date().toISOString();
		const command: CommandRecord = {
			id: newCommandId(link.id),
			seq: this.log.nextSeq(),
			kind,
			actor,
			payload,
			status: "accepted",
			acceptedEpoch: link.epoch,
			appliedEpoch: null,
			result: null,
			error: null,
			attempts: 0,
			steps: kind === "finalize" ? [] : STEPS[kind].map((name) => ({ name, done: false })),
			createdAt: now,
			updatedAt: now,
			finishedAt: null,
		};
		this.log.insert(command);
		return command;
	}

	/** After a command commits: send it, arm the resend alarm, and (terminal commands) project `closing`. */
	protected async afterAccept(raisesFence: boolean): Promise<void> {
		await this.timers.schedule(TIMERS.outbox, Date.now() + this.resendAfterMs());
		await this.sendDue(0);
		if (raisesFence) await this.republish();
	}

	/**
	 * Re-projects the link after a change outside its row (a command that
	 * raises or lifts the closing fence): bumps the row's version so the
	 * projection's version guard lets the write through.
	 */
	protected async republish(): Promise<void> {
		const link = this.link();
		if (link) await this.publish(saveLink(this.sql, link, new Date().toISOString()));
	}

	/** Sends outbox rows quiet for `quietMs`; a failed send stays in the outbox for the alarm. */
	protected async sendDue(quietMs: number): Promise<void> {
		const link = this.link();
		if (!link) return;
		const head = this.log.unfinished()[0];
		// A dead-lettered command blocks the log: re-sending the rest would only spin.
		if (head?.status === "dead_lettered") return;
		for (const row of this.log.dueForSend(Date.now() - quietMs)) {
			try {
				if (this.faults.failSend) {
					this.faults.failSend--;
					throw new Error("injected queue send failure");
				}
				await this.env.LINK_COMMANDS.send({
					v: 1,
					linkId: link.id,
					commandId: row.commandId,
					seq: row.seq,
				});
				this.log.markSent(row.commandId, Date.now());
			} catch (error) {
				console.error(
					"queue send failed; the outbox alarm will retry",
					row.commandId,
					String(error),
				);
				this.log.markSendFailed(row.commandId, String(error));
				await this.timers.schedule(TIMERS.outbox, Date.now() + 1_000);
			}
		}
	}

	protected resendAfterMs(): number {
		const configured = Number(this.env.OUTBOX_RESEND_MS);
		return Number.isFinite(configured) && configured > 0 ? configured : 15_000;
	}

	protected async transition(
		caller: Caller,
		operation: "pause" | "resume",
		ifMatch?: IfMatch,
	): Promise<Result<LinkView>> {
		const found = this.authorize(caller, operation, ifMatch);
		if (!found.ok) return found;
		const link = found.value;
		const applied = applyTransition(link, operation);
		if (!applied.ok) return fail(refusal(applied.code, link.epoch));
		if (!applied.changed) return ok(this.view(link));
		const next = this.ctx.storage.transactionSync(() => {
			const saved = saveLink(this.sql, { ...link, ...applied.next }, new Date().toISOString());
			recordTransition(this.sql, saved, operation);
			return saved;
		});
		return ok(await this.publish(next));
	}

	/**
	 * Loads the link, checks the caller may act on it (another owner's link is
	 * 404, never 403), checks `operation` against the terminal-state table and
	 * `If-Match`: against the epoch, and for a settings PATCH sent the full ETag
	 * also against the settings revision.
	 */
	protected authorize(caller: Caller, operation: Operation, ifMatch?: IfMatch): Result<LinkRecord> {
		const link = this.link();
		if (!link || !mayActOn(caller, link.ownerId)) return fail(problem("link-not-found"));
		const outcome = decide(operation, this.phase(link));
		if (outcome.kind === "refuse") return fail(refusal(outcome.code, link.epoch));
		const stale =
			operation === "settings"
				? checkSettingsIfMatch(link, ifMatch, { settings: this.view(link).settings })
				: checkIfMatch(link, ifMatch);
		if (stale) return fail(stale);
		return ok(link);
	}

	/**
	 * The phase operations are judged in. A link past its `expiresAt` whose
	 * expire command has not been accepted yet (the alarm is late) is already
	 * closing: ingest gets 423 until the expire applies.
	 */
	protected phase(link: LinkRecord) {
		return phaseOf(link.state, this.closing(link));
	}

	protected closing(link: LinkRecord): boolean {
		if (isTerminal(link.state)) return false;
		if (this.log.closingFence().length > 0) return true;
		const at = expiryMs(link.settings);
		return at !== null && at <= Date.now();
	}

	protected view(link: LinkRecord): LinkView {
		const closing = this.closing(link);
		return {
			id: link.id,
			ownerId: link.ownerId,
			state: link.state,
			phase: phaseOf(link.state, closing),
			closing,
			epoch: link.epoch,
			terminalEpoch: link.terminalEpoch,
			settingsRevision: link.settingsRevision,
			settings: { ...link.settings, passwordRequired: link.passwordHash !== null },
			counters: {
				files: link.filesCount,
				bytes: link.bytesTotal,
				reservedFiles: link.reservedFiles,
				reservedBytes: link.reservedBytes,
			},
			pendingCommands: this.log.unfinished().map((c) => commandView(link.id, c)),
			createdAt: link.createdAt,
			updatedAt: link.updatedAt,
		};
	}

	/**
	 * Brings the D1 projection up to date after a committed change, and returns
	 * the view. A failed D1 write never fails the call: the change is already
	 * committed here, and a timer retries the projection.
	 */
	protected async publish(link: LinkRecord): Promise<LinkView> {
		const view = this.view(link);
		try {
			await LinksTable.upsert(this.env.DB, view, link.version);
			markProjected(this.sql, link.version);
		} catch (error) {
			console.error("projection failed; will retry", link.id, String(error));
			await this.timers.schedule(TIMERS.projection, Date.now() + PROJECTION_RETRY_MS);
		}
		return view;
	}

	protected async retryProjection(): Promise<void> {
		const link = this.link();
		if (link && link.projectedVersion < link.version) await this.publish(link);
	}

	protected async scheduleExpiry(link: LinkRecord): Promise<void> {
		const at = expiryMs(link.settings);
		if (at === null || isTerminal(link.state)) await this.timers.cancel(TIMERS.expire);
		else await this.timers.reschedule(TIMERS.expire, at);
	}
}
