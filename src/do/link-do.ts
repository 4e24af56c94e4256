/**
 * LinkDO: the authoritative state of one receive link. A thin, typed RPC
 * shell over src/domain: it loads state, asks the domain, persists the result.
 *
 * Durable Objects run one request at a time only between awaits on their own
 * storage: an await on D1, R2 or a queue lets other requests in. So every
 * decision and its write happen synchronously (or inside one storage
 * transaction) before the first such await.
 */
import { DurableObject } from "cloudflare:workers";
import { type Caller, mayActOn } from "../domain/actor";
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
import { TIMERS } from "../storage/names";
import { insertLink, type LinkRecord, loadLink, markProjected, saveLink } from "./link-store";
import { projectLink } from "./projection";
import { migrate } from "./schema";
import { Sql } from "./sql";
import { Timers } from "./timers";
import type { CommandView, LinkView, PublicLinkView } from "./views";

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

export class LinkDO extends DurableObject<Env> {
	protected readonly sql: Sql;
	protected readonly timers: Timers;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.sql = new Sql(ctx.storage.sql);
		this.timers = new Timers(this.sql, ctx.storage);
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

	/** Runs the timed work that is due, then re-arms for the next. Idempotent. */
	override async alarm(): Promise<void> {
		for (const name of this.timers.takeDue(Date.now())) {
			if (name === TIMERS.projection) await this.retryProjection();
			else await this.onTimer(name);
		}
		await this.timers.rearm();
	}

	/** Hook for timers handled by later layers (expiry, outbox). */
	protected async onTimer(_name: string): Promise<void> {}

	// --- internals -------------------------------------------------------

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
	protected authorize(caller: Caller, operation: Operation, ifMatch?: number): Result<LinkRecord> {
		const link = loadLink(this.sql);
		if (!link || !mayActOn(caller, link.ownerId)) return fail(problem("link-not-found"));
		const outcome = decide(operation, this.phase(link));
		if (outcome.kind === "refuse") return fail(refusal(outcome.code, link.epoch));
		const stale = checkIfMatch(link.epoch, ifMatch);
		if (stale) return fail(stale);
		return ok(link);
	}

	protected phase(link: LinkRecord) {
		return phaseOf(link.state, this.pendingTerminalCommands().length > 0);
	}

	/** Terminal commands accepted but whose transition is not applied yet. */
	protected pendingTerminalCommands(): CommandView[] {
		return [];
	}

	protected pendingCommands(): CommandView[] {
		return [];
	}

	protected view(link: LinkRecord): LinkView {
		const pendingCommands = this.pendingCommands();
		const closing = !isTerminal(link.state) && this.pendingTerminalCommands().length > 0;
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
			pendingCommands,
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
