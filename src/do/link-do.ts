/**
 * LinkDO: the authoritative state of one receive link. A thin, typed RPC
 * shell over src/domain: it loads state, asks the domain, persists the result.
 *
 * Durable Objects run one request at a time only between awaits on their own
 * storage: an await on D1, R2 or a queue lets other requests in. So every
 * decision and its write happen synchronously (or inside one storage
 * transaction) before the first such await, and drains are chained so that
 * only one runs at a time.
 */
import { DurableObject } from "cloudflare:workers";
import { actorOf, type Caller, mayActOn } from "../domain/actor";
import {
	acceptTerminal,
	isFinal,
	isTerminalKind,
	STEPS,
	type TerminalKind,
	TRANSITION_OF,
} from "../domain/commands";
import {
	applyTransition,
	checkIfMatch,
	decide,
	initialLifecycle,
	isTerminal,
	type Operation,
	phaseOf,
	refusal,
} from "../domain/lifecycle";
import { DEFAULT_PART_SIZE, MIN_PART_SIZE } from "../domain/parts";
import { fail, ok, problem, type Result } from "../domain/problems";
import { expiryMs, type LinkSettings, mergeSettings, type SettingsPatch } from "../domain/settings";
import { timingSafeEqual } from "../lib/crypto";
import { newCommandId } from "../lib/ids";
import { TIMERS } from "../storage/names";
import { CommandLog, type CommandRecord, commandView } from "./command-log";
import { insertLink, type LinkRecord, loadLink, markProjected, saveLink } from "./link-store";
import { projectLink } from "./projection";
import { migrate } from "./schema";
import { Sql } from "./sql";
import { purgeLinkObjects } from "./steps";
import { Timers } from "./timers";
import type { CommandView, DrainReport, LinkView, PublicLinkView } from "./views";

/** How long to wait before retrying a failed D1 projection write. */
const PROJECTION_RETRY_MS = 5_000;
/** How long to wait before sweeping again after a failed cleanup. */
const SWEEP_RETRY_MS = 30_000;

export interface CreateLinkInput {
	linkId: string;
	ownerId: string;
	tokenHash: string;
	settings: LinkSettings;
	passwordHash: string | null;
}

/** A settings patch as it reaches the DO: the password already hashed at the edge. */
export type SettingsUpdate = Omit<SettingsPatch, "password"> & { passwordHash?: string | null };

export interface CommandRequest {
	caller: Caller;
	kind: "revoke" | "delete";
	ifMatch?: number;
	/** Idempotency-Key and the hash of the request it came with. */
	idempotency?: { key: string; requestHash: string };
}

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
}

export class LinkDO extends DurableObject<Env> {
	private readonly sql: Sql;
	private readonly timers: Timers;
	private readonly log: CommandLog;
	private drainChain: Promise<unknown> = Promise.resolve();
	faults: Faults = {};

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = new Sql(ctx.storage.sql);
		this.timers = new Timers(this.sql, ctx.storage);
		this.log = new CommandLog(this.sql);
		migrate(this.sql, (fn) => ctx.storage.transactionSync(fn));
	}

	/** Creates the link at epoch 1. Called once, by POST /api/links. */
	async create(input: CreateLinkInput): Promise<Result<LinkView>> {
		if (loadLink(this.sql)) return fail(problem("internal-error", "Link id collision."));
		const now = new Date().toISOString();
		const link: LinkRecord = {
			id: input.linkId,
			ownerId: input.ownerId,
			tokenHash: input.tokenHash,
			settings: input.settings,
			passwordHash: input.passwordHash,
			...initialLifecycle(),
			filesCount: 0,
			bytesTotal: 0,
			reservedFiles: 0,
			reservedBytes: 0,
			version: 1,
			projectedVersion: 0,
			createdAt: now,
			updatedAt: now,
		};
		insertLink(this.sql, link);
		await this.scheduleExpiry(link);
		return ok(await this.publish(link));
	}

	/** The link as its owner (or an admin) sees it. */
	async get(caller: Caller): Promise<Result<LinkView>> {
		const found = this.authorize(caller, "owner-read");
		return found.ok ? ok(this.view(found.value)) : found;
	}

	/** PATCH settings: synchronous, no epoch change (settings are not a lifecycle transition). */
	async updateSettings(
		caller: Caller,
		update: SettingsUpdate,
		ifMatch?: number,
	): Promise<Result<LinkView>> {
		const found = this.authorize(caller, "settings", ifMatch);
		if (!found.ok) return found;
		const link = found.value;
		const { passwordHash, ...patch } = update;
		const merged = mergeSettings(link.settings, patch, Date.now());
		if (!merged.ok) return merged;
		const next = saveLink(
			this.sql,
			{
				...link,
				settings: merged.value,
				passwordHash: passwordHash === undefined ? link.passwordHash : passwordHash,
			},
			new Date().toISOString(),
		);
		await this.scheduleExpiry(next);
		return ok(await this.publish(next));
	}

	/** Pause: synchronous, +1 epoch; pausing a paused link is a no-op. */
	async pause(caller: Caller, ifMatch?: number): Promise<Result<LinkView>> {
		return this.transition(caller, "pause", ifMatch);
	}

	/** Resume: synchronous, +1 epoch; resuming an active link is a no-op. */
	async resume(caller: Caller, ifMatch?: number): Promise<Result<LinkView>> {
		return this.transition(caller, "resume", ifMatch);
	}

	/** Public info for uploaders holding the link token (its secret's hash, compared timing-safe). */
	async publicInfo(secretHash: string): Promise<Result<PublicLinkView>> {
		const link = loadLink(this.sql);
		if (!link || !timingSafeEqual(link.tokenHash, secretHash)) {
			return fail(problem("link-not-found"));
		}
		const phase = this.phase(link);
		const outcome = decide("public-info", phase);
		if (outcome.kind === "refuse") return fail(refusal(outcome.code, link.epoch));
		const s = link.settings;
		return ok({
			title: s.title,
			description: s.description,
			state: link.state,
			phase,
			epoch: link.epoch,
			passwordRequired: link.passwordHash !== null,
			requireUploaderName: s.requireUploaderName,
			requireUploaderEmail: s.requireUploaderEmail,
			expiresAt: s.expiresAt,
			limits: {
				maxFiles: s.maxFiles,
				maxFileBytes: s.maxFileBytes,
				maxTotalBytes: s.maxTotalBytes,
				allowedExtensions: s.allowedExtensions,
				allowedMimeTypes: s.allowedMimeTypes,
				remainingFiles:
					s.maxFiles === null
						? null
						: Math.max(0, s.maxFiles - link.filesCount - link.reservedFiles),
				remainingBytes:
					s.maxTotalBytes === null
						? null
						: Math.max(0, s.maxTotalBytes - link.bytesTotal - link.reservedBytes),
			},
			defaultPartSize: DEFAULT_PART_SIZE,
			minPartSize: MIN_PART_SIZE,
		});
	}

	// --- commands ----------------------------------------------------------

	/**
	 * Accepts a revoke or delete: in one storage transaction it assigns the next
	 * seq, persists the command and its outbox row, and so raises the closing
	 * fence. Then it sends the queue message; a failed send is retried by the
	 * outbox alarm. An Idempotency-Key replay returns the original command.
	 */
	async requestCommand(
		req: CommandRequest,
	): Promise<Result<{ command: CommandView; created: boolean }>> {
		const link = loadLink(this.sql);
		if (!link || !mayActOn(req.caller, link.ownerId)) return fail(problem("link-not-found"));
		const scope = actorOf(req.caller);
		if (req.idempotency) {
			const seen = this.log.idempotent(scope, req.idempotency.key);
			if (seen) {
				if (seen.requestHash !== req.idempotency.requestHash) {
					return fail(problem("idempotency-key-reused"));
				}
				const original = this.log.get(seen.commandId);
				if (original) return ok({ command: commandView(link.id, original), created: false });
			}
		}
		const decision = acceptTerminal(req.kind, link.state, this.log.pending());
		if (decision.kind === "refuse") return fail(refusal(decision.code, link.epoch));
		const stale = checkIfMatch(link.epoch, req.ifMatch);
		if (stale) return fail(stale);
		if (decision.kind === "existing") {
			const existing = this.log.get(decision.commandId);
			if (existing) {
				if (req.idempotency) {
					this.log.remember(scope, req.idempotency.key, req.idempotency.requestHash, existing.id);
				}
				return ok({ command: commandView(link.id, existing), created: false });
			}
		}
		const command = this.ctx.storage.transactionSync(() => {
			const c = this.newCommand(link, req.kind, scope);
			if (req.idempotency)
				this.log.remember(scope, req.idempotency.key, req.idempotency.requestHash, c.id);
			return c;
		});
		await this.afterAccept();
		return ok({
			command: commandView(link.id, this.log.get(command.id) ?? command),
			created: true,
		});
	}

	/** One command, for its owner or an admin; `caller` null when a Retry-Token was verified at the edge. */
	async getCommand(caller: Caller | null, commandId: string): Promise<Result<CommandView>> {
		const link = loadLink(this.sql);
		const command = this.log.get(commandId);
		if (!link || !command || (caller && !mayActOn(caller, link.ownerId))) {
			return fail(problem("command-not-found"));
		}
		return ok(commandView(link.id, command));
	}

	/** Command history, newest first. */
	async listCommands(
		caller: Caller,
		limit: number,
		beforeSeq: number | null,
	): Promise<Result<{ items: CommandView[]; nextCursor: string | null }>> {
		const found = this.authorize(caller, "owner-read");
		if (!found.ok) return found;
		const rows = this.log.list(limit + 1, beforeSeq);
		const items = rows.slice(0, limit).map((c) => commandView(found.value.id, c));
		const last = items[items.length - 1];
		return ok({ items, nextCursor: rows.length > limit && last ? String(last.seq) : null });
	}

	/**
	 * Applies every pending command in seq order. Serialized per DO: a drain
	 * that arrives while another runs waits for it, then drains what is left.
	 */
	async drain(): Promise<DrainReport> {
		const run = this.drainChain.then(() => this.drainNow());
		this.drainChain = run.catch(() => undefined);
		return run;
	}

	/**
	 * The DLQ consumer reports that a command's message ran out of retries.
	 * Returns the command (null when it already reached a final status).
	 */
	async deadLetter(commandId: string): Promise<CommandView | null> {
		const link = loadLink(this.sql);
		const command = this.log.get(commandId);
		if (!link || !command || isFinal(command.status)) return null;
		if (command.status !== "dead_lettered") this.log.update(commandId, { status: "dead_lettered" });
		return commandView(link.id, this.log.get(commandId) ?? command);
	}

	/** Admin replay: a dead-lettered command is accepted again and re-sent. Idempotent. */
	async replay(commandId: string): Promise<Result<CommandView>> {
		const link = loadLink(this.sql);
		const command = this.log.get(commandId);
		if (!link || !command) return fail(problem("command-not-found"));
		if (command.status === "dead_lettered") {
			this.log.update(commandId, {
				status: command.appliedEpoch === null ? "accepted" : "applying",
			});
			await this.sendDue(0);
		}
		return ok(commandView(link.id, this.log.get(commandId) ?? command));
	}

	/**
	 * Admin discard: cancels the command. Before its transition applies, that
	 * lifts the closing fence (when nothing else waits). After, the transition
	 * stands; retries stop and the cleanup still finishes (the sweep runs the
	 * remaining steps).
	 */
	async discard(commandId: string): Promise<Result<CommandView>> {
		const link = loadLink(this.sql);
		const command = this.log.get(commandId);
		if (!link || !command) return fail(problem("command-not-found"));
		if (!isFinal(command.status)) {
			this.log.update(commandId, {
				status: "cancelled",
				result: command.appliedEpoch === null ? "cancelled" : "cancelled-after-apply",
				finishedAt: new Date().toISOString(),
			});
			if (command.appliedEpoch !== null) await this.sweep();
			await this.sendDue(0);
			await this.republish();
		}
		return ok(commandView(link.id, this.log.get(commandId) ?? command));
	}

	/** Runs the timed work that is due, then re-arms for the next. Idempotent. */
	override async alarm(): Promise<void> {
		for (const name of this.timers.takeDue(Date.now())) {
			if (name === TIMERS.projection) await this.retryProjection();
			else if (name === TIMERS.expire) await this.expireNow();
			else if (name === TIMERS.outbox) await this.sendDue(this.resendAfterMs());
			else if (name === TIMERS.sweep) await this.sweep();
		}
		if (this.log.hasOutbox())
			await this.timers.schedule(TIMERS.outbox, Date.now() + this.resendAfterMs());
		await this.timers.rearm();
	}

	// --- internals -------------------------------------------------------

	private newCommand(link: LinkRecord, kind: TerminalKind, actor: string): CommandRecord {
		const now = new Date().toISOString();
		const command: CommandRecord = {
			id: newCommandId(link.id),
			seq: this.log.nextSeq(),
			kind,
			actor,
			payload: {},
			status: "accepted",
			acceptedEpoch: link.epoch,
			appliedEpoch: null,
			result: null,
			error: null,
			attempts: 0,
			steps: STEPS[kind].map((name) => ({ name, done: false })),
			createdAt: now,
			updatedAt: now,
			finishedAt: null,
		};
		this.log.insert(command);
		return command;
	}

	/** After a command commits: send it, arm the resend alarm, project `closing`. */
	private async afterAccept(): Promise<void> {
		await this.timers.schedule(TIMERS.outbox, Date.now() + this.resendAfterMs());
		await this.sendDue(0);
		await this.republish();
	}

	/**
	 * Re-projects the link after a change outside its row (a command that
	 * raises or lifts the closing fence): bumps the row's version so the
	 * projection's version guard lets the write through.
	 */
	private async republish(): Promise<void> {
		const link = loadLink(this.sql);
		if (link) await this.publish(saveLink(this.sql, link, new Date().toISOString()));
	}

	/** Sends outbox rows quiet for `quietMs`; a failed send stays in the outbox for the alarm. */
	private async sendDue(quietMs: number): Promise<void> {
		const link = loadLink(this.sql);
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

	private async drainNow(): Promise<DrainReport> {
		for (;;) {
			const next = this.log.unfinished()[0];
			if (!next) return { outcome: "idle", unfinished: [] };
			if (next.status === "dead_lettered") {
				return { outcome: "blocked", unfinished: this.log.unfinished().map((c) => c.id) };
			}
			try {
				await this.apply(next);
			} catch (error) {
				const message = String(error instanceof Error ? error.message : error);
				const current = this.log.get(next.id);
				this.log.update(next.id, {
					attempts: (current?.attempts ?? next.attempts) + 1,
					error: message,
				});
				return {
					outcome: "failed",
					unfinished: this.log.unfinished().map((c) => c.id),
					error: message,
					failedCommandId: next.id,
				};
			}
		}
	}

	/**
	 * Applies one command: commits the state transition and epoch first (in one
	 * transaction with the command's status), then runs its side-effect steps,
	 * each recorded as done. Re-running resumes at the first step not done.
	 */
	private async apply(command: CommandRecord): Promise<void> {
		this.log.touch(command.id, Date.now());
		let link = loadLink(this.sql);
		if (!link) throw new Error("link row missing");
		if (!isTerminalKind(command.kind))
			throw new Error(`no applier for ${command.kind} commands yet`);
		if (command.status === "accepted") {
			if (this.faults.failApply) {
				this.faults.failApply--;
				throw new Error("injected failure before the transition");
			}
			const applied = applyTransition(link, TRANSITION_OF[command.kind]);
			const now = new Date().toISOString();
			if (!applied.ok || !applied.changed) {
				this.log.update(command.id, {
					status: "rejected",
					result: applied.ok ? "already-applied" : applied.code,
					finishedAt: now,
				});
				return;
			}
			const before = link;
			link = this.ctx.storage.transactionSync(() => {
				const saved = saveLink(this.sql, { ...before, ...applied.next }, now);
				this.log.update(command.id, { status: "applying", appliedEpoch: saved.epoch });
				return saved;
			});
			await this.timers.cancel(TIMERS.expire);
		}
		const current = this.log.get(command.id) ?? command;
		await this.finishSteps(link, current);
		this.log.update(command.id, {
			status: "succeeded",
			result:
				command.kind === "delete" ? "deleted" : command.kind === "expire" ? "expired" : "revoked",
			error: null,
			finishedAt: new Date().toISOString(),
		});
	}

	/** Runs the steps of `command` not done yet, recording each as it completes. */
	private async finishSteps(link: LinkRecord, command: CommandRecord): Promise<void> {
		const steps = command.steps.map((s) => ({ ...s }));
		for (const step of steps) {
			if (step.done) continue;
			const failures = this.faults.failStep?.[step.name] ?? 0;
			if (failures > 0 && this.faults.failStep) {
				this.faults.failStep[step.name] = failures - 1;
				throw new Error(`injected failure in step ${step.name}`);
			}
			await this.runStep(link, step.name);
			step.done = true;
			this.log.update(command.id, { steps });
		}
	}

	private async runStep(link: LinkRecord, step: string): Promise<void> {
		switch (step) {
			case "cleanup-uploads":
				// Upload sessions arrive with the upload layer; until then there is nothing to settle.
				return;
			case "purge-objects":
				await purgeLinkObjects(this.env.FILES, link.id);
				return;
			case "project": {
				const current = loadLink(this.sql) ?? link;
				await projectLink(this.env.DB, this.view(current), current.version);
				markProjected(this.sql, current.version);
				return;
			}
			default:
				throw new Error(`unknown step ${step}`);
		}
	}

	/**
	 * Finishes the cleanup steps of terminal commands that were cancelled after
	 * their transition applied (discard cannot undo a transition). A failure
	 * re-arms the sweep timer.
	 */
	private async sweep(): Promise<void> {
		const link = loadLink(this.sql);
		if (!link) return;
		try {
			for (const command of this.log.cancelledWithOpenSteps())
				await this.finishSteps(link, command);
		} catch (error) {
			console.error("sweep failed; will retry", link.id, String(error));
			await this.timers.schedule(TIMERS.sweep, Date.now() + SWEEP_RETRY_MS);
		}
	}

	/** The expiry alarm: a system `expire` command through the same pipeline. */
	private async expireNow(): Promise<void> {
		const link = loadLink(this.sql);
		if (!link) return;
		const at = expiryMs(link.settings);
		if (at === null || at > Date.now()) return;
		const decision = acceptTerminal("expire", link.state, this.log.pending());
		if (decision.kind !== "new") return;
		this.ctx.storage.transactionSync(() => this.newCommand(link, "expire", "system"));
		await this.afterAccept();
	}

	private resendAfterMs(): number {
		const configured = Number(this.env.OUTBOX_RESEND_MS);
		return Number.isFinite(configured) && configured > 0 ? configured : 15_000;
	}

	private async transition(
		caller: Caller,
		operation: "pause" | "resume",
		ifMatch?: number,
	): Promise<Result<LinkView>> {
		const found = this.authorize(caller, operation, ifMatch);
		if (!found.ok) return found;
		const link = found.value;
		const applied = applyTransition(link, operation);
		if (!applied.ok) return fail(refusal(applied.code, link.epoch));
		if (!applied.changed) return ok(this.view(link));
		const next = saveLink(this.sql, { ...link, ...applied.next }, new Date().toISOString());
		return ok(await this.publish(next));
	}

	/**
	 * Loads the link, checks the caller may act on it (another owner's link is
	 * 404, never 403), checks `operation` against the terminal-state table and
	 * `If-Match` against the epoch.
	 */
	private authorize(caller: Caller, operation: Operation, ifMatch?: number): Result<LinkRecord> {
		const link = loadLink(this.sql);
		if (!link || !mayActOn(caller, link.ownerId)) return fail(problem("link-not-found"));
		const outcome = decide(operation, this.phase(link));
		if (outcome.kind === "refuse") return fail(refusal(outcome.code, link.epoch));
		const stale = checkIfMatch(link.epoch, ifMatch);
		if (stale) return fail(stale);
		return ok(link);
	}

	private phase(link: LinkRecord) {
		return phaseOf(link.state, this.log.closingFence().length > 0);
	}

	private view(link: LinkRecord): LinkView {
		const closing = !isTerminal(link.state) && this.log.closingFence().length > 0;
		return {
			id: link.id,
			ownerId: link.ownerId,
			state: link.state,
			phase: phaseOf(link.state, closing),
			closing,
			epoch: link.epoch,
			terminalEpoch: link.terminalEpoch,
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
	private async publish(link: LinkRecord): Promise<LinkView> {
		const view = this.view(link);
		try {
			await projectLink(this.env.DB, view, link.version);
			markProjected(this.sql, link.version);
		} catch (error) {
			console.error("projection failed; will retry", link.id, String(error));
			await this.timers.schedule(TIMERS.projection, Date.now() + PROJECTION_RETRY_MS);
		}
		return view;
	}

	private async retryProjection(): Promise<void> {
		const link = loadLink(this.sql);
		if (link && link.projectedVersion < link.version) await this.publish(link);
	}

	private async scheduleExpiry(link: LinkRecord): Promise<void> {
		const at = expiryMs(link.settings);
		if (at === null || isTerminal(link.state)) await this.timers.cancel(TIMERS.expire);
		else await this.timers.reschedule(TIMERS.expire, at);
	}
}
