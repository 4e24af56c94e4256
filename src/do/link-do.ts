/**
 * LinkDO: the authoritative state of one receive link, one Durable Object
 * per link. A thin, typed RPC shell over src/domain. This file holds the
 * lifecycle calls and the alarm; commands and uploads live in the layers it
 * extends (link-commands.ts, link-uploads.ts) over the core (link-base.ts).
 */
import * as FilesTable from "../d1/files";
import * as LinksTable from "../d1/links";
import type { Caller } from "../domain/actor";
import { type AuditReport, auditLink } from "../domain/audit";
import { decide, type IfMatch, initialLifecycle, isTerminal, refusal } from "../domain/lifecycle";
import { DEFAULT_PART_SIZE, MIN_PART_SIZE } from "../domain/parts";
import { fail, ok, problem, type Result } from "../domain/problems";
import { mergeSettings } from "../domain/settings";
import { timingSafeEqual } from "../lib/crypto";
import { R2Keys, TIMERS } from "../storage/names";
import * as r2 from "../storage/r2";
import type { CreateLinkInput, SettingsUpdate } from "./link-base";
import { insertLink, type LinkRecord, saveLink } from "./link-store";
import { LinkUploads } from "./link-uploads";
import type { LinkView, PublicLinkView } from "./views";

export type { CreateLinkInput, Faults, FinalizeSeam, SettingsUpdate } from "./link-base";
export type { CommandRequest } from "./link-commands";

export class LinkDO extends LinkUploads {
	/** Creates the link at epoch 1. Called once, by POST /api/links. */
	async create(input: CreateLinkInput): Promise<Result<LinkView>> {
		if (!this.ready) this.migrate();
		if (this.link()) return fail(problem("internal-error", "Link id collision."));
		const now = new Date().toISOString();
		const link: LinkRecord = {
			id: input.linkId,
			ownerId: input.ownerId,
			tokenHash: input.tokenHash,
			settings: input.settings,
			passwordHash: input.passwordHash,
			...initialLifecycle(),
			settingsRevision: 1,
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

	/**
	 * PATCH settings: synchronous, no epoch change (settings are not a lifecycle
	 * transition); the settings revision rises by one, so the ETag changes.
	 */
	async updateSettings(
		caller: Caller,
		update: SettingsUpdate,
		ifMatch?: IfMatch,
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
				settingsRevision: link.settingsRevision + 1,
				settings: merged.value,
				passwordHash: passwordHash === undefined ? link.passwordHash : passwordHash,
			},
			new Date().toISOString(),
		);
		await this.scheduleExpiry(next);
		return ok(await this.publish(next));
	}

	/** Pause: synchronous, +1 epoch; pausing a paused link is a no-op. */
	async pause(caller: Caller, ifMatch?: IfMatch): Promise<Result<LinkView>> {
		return this.transition(caller, "pause", ifMatch);
	}

	/** Resume: synchronous, +1 epoch; resuming an active link is a no-op. */
	async resume(caller: Caller, ifMatch?: IfMatch): Promise<Result<LinkView>> {
		return this.transition(caller, "resume", ifMatch);
	}

	/** Public info for uploaders holding the link token (its secret's hash, compared timing-safe). */
	async publicInfo(secretHash: string): Promise<Result<PublicLinkView>> {
		const link = this.link();
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
		if (!this.ready) return;
		for (const name of this.timers.takeDue(Date.now())) {
			if (name === TIMERS.projection) await this.retryProjection();
			else if (name === TIMERS.expire) await this.expireNow();
			else if (name === TIMERS.outbox) await this.sendDue(this.resendAfterMs());
			else if (name === TIMERS.sweep) await this.sweep();
			else if (name === TIMERS.sessions) await this.expireSessions();
		}
		if (this.log.hasOutbox())
			await this.timers.schedule(TIMERS.outbox, Date.now() + this.resendAfterMs());
		await this.timers.rearm();
	}

	/**
	 * Admin audit: checks the invariants of DESIGN section 9 over this link's
	 * DO state, R2 objects and D1 rows. `sweep` runs the post-terminal sweep
	 * first (it is otherwise due 60 s after the transition).
	 */
	async audit(
		options: { sweep?: boolean } = {},
	): Promise<Result<AuditReport & { linkId: string }>> {
		let link = this.link();
		if (!link) return fail(problem("link-not-found"));
		if (options.sweep && isTerminal(link.state)) {
			await this.sweep();
			await this.timers.cancel(TIMERS.sweep);
			link = this.link() ?? link;
		}
		const objects: string[] = [];
		for await (const keys of r2.listKeys(this.env.FILES, R2Keys.linkPrefix(link.id)))
			objects.push(...keys.map(R2Keys.uploadIdOf));
		const indexedFiles = await FilesTable.uploadIdsForLink(this.env.DB, link.id);
		const projection = await LinksTable.projectionOf(this.env.DB, link.id);
		const report = auditLink({
			link: {
				state: link.state,
				epoch: link.epoch,
				terminalEpoch: link.terminalEpoch,
				filesCount: link.filesCount,
				bytesTotal: link.bytesTotal,
				reservedFiles: link.reservedFiles,
				reservedBytes: link.reservedBytes,
				maxFiles: link.settings.maxFiles,
				maxTotalBytes: link.settings.maxTotalBytes,
			},
			transitions: this.sql.all<{ epoch: number; kind: string }>(
				"SELECT epoch, kind FROM transitions",
			),
			commands: this.log.list(1_000_000, null).map((c) => ({
				id: c.id,
				seq: c.seq,
				kind: c.kind,
				status: c.status,
				appliedEpoch: c.appliedEpoch,
			})),
			uploads: this.sql.all<{
				id: string;
				state: string;
				size: number;
				admittedEpoch: number;
				completedEpoch: number | null;
			}>(
				"SELECT id, state, size, admitted_epoch AS admittedEpoch, completed_epoch AS completedEpoch FROM uploads",
			),
			parts: this.sql.all<{ uploadId: string; partNumber: number; recordedEpoch: number }>(
				"SELECT upload_id AS uploadId, part_number AS partNumber, recorded_epoch AS recordedEpoch FROM parts",
			),
			objects,
			indexedFiles,
			projection,
			sweepPending: this.sql.one("SELECT 1 AS x FROM timers WHERE name = ?", TIMERS.sweep) !== null,
		});
		return ok({ linkId: link.id, ...report });
	}
}
