/**
 * The link row and what every operation asks of it: does the link exist
 * (an object never created has no schema and writes nothing), may this caller
 * act on it, what phase is it in, its view, and keeping the D1 projection
 * up to date after a committed change.
 */

import * as LinksTable from "../../d1/links";
import { type Caller, mayActOn } from "../../domain/actor";
import {
	checkIfMatch,
	checkSettingsIfMatch,
	decide,
	type IfMatch,
	isTerminal,
	type Operation,
	phaseOf,
	refusal,
} from "../../domain/lifecycle";
import { fail, ok, type Problem, problem, type Result } from "../../domain/problems";
import { expiryMs } from "../../domain/settings";
import { errorField, logEvent } from "../../lib/log";
import { TIMERS } from "../../storage/names";
import { commandView } from "../command-log";
import type { LinkHost } from "../host";
import { type LinkRecord, loadLink, markProjected, saveLink } from "../link-store";
import type { LinkView } from "../rpc";
import { hasSchema, migrate } from "../schema";

/** How long to wait before retrying a failed D1 projection write. */
const PROJECTION_RETRY_MS = 5_000;

export class LinkRow {
	/** Whether this object holds a link's schema (false until `create`). */
	private ready: boolean;

	constructor(private readonly host: LinkHost) {
		this.ready = hasSchema(host.sql);
		if (this.ready) this.migrate();
	}

	/** Applies the schema migrations not applied yet (all of them on first create). */
	migrate(): void {
		migrate(this.host.sql, (fn) => this.host.transaction(fn));
		this.ready = true;
	}

	get exists(): boolean {
		return this.ready;
	}

	/** The link row, or null before create. */
	link(): LinkRecord | null {
		return this.ready ? loadLink(this.host.sql) : null;
	}

	/**
	 * Loads the link, checks the caller may act on it (another owner's link is
	 * 404, never 403), checks `operation` against the terminal-state table and
	 * `If-Match`: against the epoch, and for a settings PATCH sent the full ETag
	 * also against the settings revision.
	 */
	authorize(caller: Caller, operation: Operation, ifMatch?: IfMatch): Result<LinkRecord> {
		const link = this.link();
		if (!link || !mayActOn(caller, link.ownerId)) return fail(problem("link-not-found"));
		const refused = this.refuse(link, operation);
		if (refused) return fail(refused);
		const stale =
			operation === "settings"
				? checkSettingsIfMatch(link, ifMatch, { settings: this.view(link).settings })
				: checkIfMatch(link, ifMatch);
		return stale ? fail(stale) : ok(link);
	}

	/** The terminal-state table's refusal of `op` in the link's phase, if any. */
	refuse(link: LinkRecord, op: Operation): Problem | undefined {
		const outcome = decide(op, this.phase(link));
		return outcome.kind === "refuse" ? refusal(outcome.code, link.epoch) : undefined;
	}

	/** `p` with the link's current epoch. */
	withEpoch(p: Problem): Problem {
		return { ...p, epoch: this.link()?.epoch ?? p.epoch };
	}

	/**
	 * The phase operations are judged in. A link past its `expiresAt` whose
	 * expire command has not been accepted yet (the alarm is late) is already
	 * closing: ingest gets 423 until the expire applies.
	 */
	phase(link: LinkRecord) {
		return phaseOf(link.state, this.closing(link));
	}

	private closing(link: LinkRecord): boolean {
		if (isTerminal(link.state)) return false;
		if (this.host.commandLog.closingFence().length > 0) return true;
		const at = expiryMs(link.settings);
		return at !== null && at <= this.host.now();
	}

	view(link: LinkRecord): LinkView {
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
			pendingCommands: this.host.commandLog.unfinished().map((c) => commandView(link.id, c)),
			createdAt: link.createdAt,
			updatedAt: link.updatedAt,
		};
	}

	/**
	 * Brings the D1 projection up to date after a committed change, and returns
	 * the view. A failed D1 write never fails the call: the change is already
	 * committed here, and a timer retries the projection.
	 */
	async publish(link: LinkRecord): Promise<LinkView> {
		const view = this.view(link);
		try {
			await LinksTable.upsert(this.host.env.DB, view, link.version);
			markProjected(this.host.sql, link.version);
		} catch (error) {
			logEvent("projection.failed", { linkId: link.id, error: errorField(error) }, "warn");
			await this.host.timers.schedule(TIMERS.projection, this.host.now() + PROJECTION_RETRY_MS);
		}
		return view;
	}

	/**
	 * The first projection of a new link, within its owner's cap of links
	 * (none: no cap). Under a cap D1 decides, so its failure refuses the
	 * creation (503, retryable) rather than being retried later.
	 */
	async publishNew(link: LinkRecord, cap: number | null): Promise<Result<LinkView>> {
		if (cap === null) return ok(await this.publish(link));
		const view = this.view(link);
		try {
			if (!(await LinksTable.insertUnderCap(this.host.env.DB, view, link.version, cap)))
				return fail(
					problem(
						"too-many-links",
						`An owner may hold at most ${cap} links (deleted ones do not count); delete one first.`,
						{ extra: { limit: cap } },
					),
				);
		} catch (error) {
			logEvent("projection.failed", { linkId: link.id, error: errorField(error) }, "warn");
			return fail(problem("storage-unavailable", undefined, { retryable: true, retryAfter: 1 }));
		}
		markProjected(this.host.sql, link.version);
		return ok(view);
	}

	/**
	 * Re-projects the link after a change outside its row (a command that
	 * raises or lifts the closing fence): bumps the row's version so the
	 * projection's version guard lets the write through.
	 */
	async republish(): Promise<void> {
		const link = this.link();
		if (link)
			await this.publish(saveLink(this.host.sql, link, new Date(this.host.now()).toISOString()));
	}

	/** The projection timer: writes the projection if the row moved past it. */
	async retryProjection(): Promise<void> {
		const link = this.link();
		if (link && link.projectedVersion < link.version) await this.publish(link);
	}

	/** Points the expiry timer at the link's `expiresAt` (none when terminal or unset). */
	async scheduleExpiry(link: LinkRecord): Promise<void> {
		const at = expiryMs(link.settings);
		if (at === null || isTerminal(link.state)) await this.host.timers.cancel(TIMERS.expire);
		else await this.host.timers.reschedule(TIMERS.expire, at);
	}
}
