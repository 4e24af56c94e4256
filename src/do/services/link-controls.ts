/**
 * The synchronous lifecycle calls: create, read, settings PATCH, pause and
 * resume (each applied at once, +1 epoch for a transition), and what an
 * uploader holding the link secret may see.
 */
import type { Caller } from "../../domain/actor";
import { applyTransition, type IfMatch, initialLifecycle, refusal } from "../../domain/lifecycle";
import { DEFAULT_PART_SIZE, MIN_PART_SIZE } from "../../domain/parts";
import { NO_ATTEMPTS } from "../../domain/password";
import { fail, ok, problem, type Result } from "../../domain/problems";
import { mergeSettings } from "../../domain/settings";
import { remainingQuota } from "../../domain/uploads";
import { timingSafeEqual } from "../../lib/crypto";
import type { LinkHost } from "../host";
import {
	insertLink,
	type LinkRecord,
	recordTransition,
	removeNewLink,
	saveLink,
} from "../link-store";
import { saveAttempts } from "../password-attempts";
import type { CreateLinkInput, LinkView, PublicLinkView, SettingsUpdate } from "../rpc";
import type { LinkRow } from "./link-row";

export class LinkControls {
	constructor(
		private readonly host: LinkHost,
		private readonly row: LinkRow,
	) {}

	/** Creates the link at epoch 1 (its schema first: an object writes nothing before this). */
	async create(input: CreateLinkInput): Promise<Result<LinkView>> {
		if (!this.row.exists) this.row.migrate();
		if (this.row.link()) return fail(problem("internal-error", "Link id collision."));
		const now = new Date(this.host.now()).toISOString();
		const link: LinkRecord = {
			id: input.linkId,
			ownerId: input.ownerId,
			tokenHash: input.tokenHash,
			secretBox: input.secretBox ?? null,
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
		insertLink(this.host.sql, link);
		// No one knows the id yet: a creation refused by the owner's cap leaves nothing behind.
		const published = await this.row.publishNew(link, input.maxLinks);
		if (!published.ok) {
			removeNewLink(this.host.sql, link.id);
			return published;
		}
		await this.row.scheduleExpiry(link);
		return published;
	}

	get(caller: Caller): Result<LinkView> {
		const found = this.row.authorize(caller, "owner-read");
		return found.ok ? ok(this.row.view(found.value)) : found;
	}

	/** The sealed secret, for the edge to rebuild the upload URL (the owner's or an admin's). */
	secretBox(caller: Caller): Result<{ secretBox: string | null }> {
		const found = this.row.authorize(caller, "owner-read");
		return found.ok ? ok({ secretBox: found.value.secretBox }) : found;
	}

	/** Settings PATCH: no epoch change; the settings revision rises by one, so the ETag changes. */
	async updateSettings(
		caller: Caller,
		update: SettingsUpdate,
		ifMatch?: IfMatch,
	): Promise<Result<LinkView>> {
		const found = this.row.authorize(caller, "settings", ifMatch);
		if (!found.ok) return found;
		const link = found.value;
		const { passwordHash, ...patch } = update;
		const merged = mergeSettings(link.settings, patch, this.host.now());
		if (!merged.ok) return merged;
		const next = this.host.transaction(() => {
			// A new (or no) password starts the guess count afresh.
			if (passwordHash !== undefined) saveAttempts(this.host.sql, NO_ATTEMPTS);
			return saveLink(
				this.host.sql,
				{
					...link,
					settingsRevision: link.settingsRevision + 1,
					settings: merged.value,
					passwordHash: passwordHash === undefined ? link.passwordHash : passwordHash,
				},
				new Date(this.host.now()).toISOString(),
			);
		});
		await this.row.scheduleExpiry(next);
		return ok(await this.row.publish(next));
	}

	/** Pause or resume: +1 epoch, committed with its transitions row; a repeat is a no-op. */
	async transition(
		caller: Caller,
		operation: "pause" | "resume",
		ifMatch?: IfMatch,
	): Promise<Result<LinkView>> {
		const found = this.row.authorize(caller, operation, ifMatch);
		if (!found.ok) return found;
		const link = found.value;
		const applied = applyTransition(link, operation);
		if (!applied.ok) return fail(refusal(applied.code, link.epoch));
		if (!applied.changed) return ok(this.row.view(link));
		const next = this.host.transaction(() => {
			const saved = saveLink(
				this.host.sql,
				{ ...link, ...applied.next },
				new Date(this.host.now()).toISOString(),
			);
			recordTransition(this.host.sql, saved, operation);
			this.host.events.record(saved, operation === "pause" ? "link.paused" : "link.resumed");
			return saved;
		});
		await this.host.events.afterCommit();
		return ok(await this.row.publish(next));
	}

	/** What an uploader holding the link secret (its hash, compared timing-safe) may see. */
	publicInfo(secretHash: string): Result<PublicLinkView> {
		const link = this.row.link();
		if (!link || !timingSafeEqual(link.tokenHash, secretHash))
			return fail(problem("link-not-found"));
		const refused = this.row.refuse(link, "public-info");
		if (refused) return fail(refused);
		const s = link.settings;
		const left = remainingQuota(s, link);
		return ok({
			title: s.title,
			description: s.description,
			state: link.state,
			phase: this.row.phase(link),
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
				remainingFiles: left.files,
				remainingBytes: left.bytes,
			},
			defaultPartSize: DEFAULT_PART_SIZE,
			minPartSize: MIN_PART_SIZE,
		});
	}
}
