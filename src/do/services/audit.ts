/**
 * The admin audit: the invariants of docs/design.md ("Invariants") checked
 * over one link's Durable Object state, its R2 objects and its D1 rows.
 */
import { type AuditReport, auditLink } from "../../domain/audit";
import { isTerminal } from "../../domain/lifecycle";
import { fail, ok, problem, type Result } from "../../domain/problems";
import { D1, TIMERS } from "../../storage/names";
import type { LinkHost } from "../host";
import { listTransitions } from "../link-store";
import { linkObjectPages, uploadIdOfKey } from "../steps";
import type { Drain } from "./drain";
import type { LinkState } from "./link-state";

export class Audit {
	constructor(
		private readonly host: LinkHost,
		private readonly state: LinkState,
		private readonly drain: Drain,
	) {}

	/** `sweep` runs the post-terminal sweep first (it is otherwise due 60 s after the transition). */
	async run(options: { sweep?: boolean } = {}): Promise<Result<AuditReport & { linkId: string }>> {
		let link = this.state.link();
		if (!link) return fail(problem("link-not-found"));
		const { env, sql, log, timers, uploads } = this.host;
		if (options.sweep && isTerminal(link.state)) {
			await this.drain.sweep();
			await timers.cancel(TIMERS.sweep);
			link = this.state.link() ?? link;
		}
		const objects: string[] = [];
		for await (const keys of linkObjectPages(env.FILES, link.id))
			objects.push(...keys.map(uploadIdOfKey));
		const files = await env.DB.prepare(`SELECT upload_id FROM ${D1.files} WHERE link_id = ?`)
			.bind(link.id)
			.all<{ upload_id: string }>();
		const projection = await env.DB.prepare(`SELECT state, epoch FROM ${D1.links} WHERE id = ?`)
			.bind(link.id)
			.first<{ state: string; epoch: number }>();
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
			transitions: listTransitions(sql),
			commands: log.list(1_000_000, null).map((c) => ({
				id: c.id,
				seq: c.seq,
				kind: c.kind,
				status: c.status,
				appliedEpoch: c.appliedEpoch,
			})),
			uploads: uploads.auditRows(),
			parts: uploads.allParts(),
			objects,
			indexedFiles: files.results.map((r) => r.upload_id),
			projection,
			sweepPending: timers.has(TIMERS.sweep),
		});
		return ok({ linkId: link.id, ...report });
	}
}
