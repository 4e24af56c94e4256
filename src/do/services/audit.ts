/**
 * The admin audit: the invariants of docs/design.md ("Invariants") checked
 * over one link's Durable Object state, its R2 objects and its D1 rows.
 */

import * as FilesTable from "../../d1/files";
import * as LinksTable from "../../d1/links";
import { type AuditReport, auditLink } from "../../domain/audit";
import { isTerminal } from "../../domain/lifecycle";
import { fail, ok, problem, type Result } from "../../domain/problems";
import { R2Keys, TIMERS } from "../../storage/names";
import type { LinkHost } from "../host";
import { listTransitions } from "../link-store";
import type { Drain } from "./drain";
import type { LinkRow } from "./link-row";

export class Audit {
	constructor(
		private readonly host: LinkHost,
		private readonly row: LinkRow,
		private readonly drain: Drain,
	) {}

	/** `sweep` runs the post-terminal sweep first (it is otherwise due 60 s after the transition). */
	async run(options: { sweep?: boolean } = {}): Promise<Result<AuditReport & { linkId: string }>> {
		let link = this.row.link();
		if (!link) return fail(problem("link-not-found"));
		const { env, sql, commandLog, timers, uploads, store } = this.host;
		if (options.sweep && isTerminal(link.state)) {
			await this.drain.sweep();
			await timers.cancel(TIMERS.sweep);
			link = this.row.link() ?? link;
		}
		const objects: string[] = [];
		for await (const keys of store.list(R2Keys.linkPrefix(link.id)))
			objects.push(...keys.map(R2Keys.uploadIdOf));
		const indexedFiles = await FilesTable.uploadIdsForLink(env.DB, link.id);
		const projection = await LinksTable.projectionOf(env.DB, link.id);
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
			commands: commandLog.list(1_000_000, null).map((c) => ({
				id: c.id,
				seq: c.seq,
				kind: c.kind,
				status: c.status,
				appliedEpoch: c.appliedEpoch,
			})),
			uploads: uploads.auditRows(),
			parts: uploads.allParts(),
			objects,
			indexedFiles,
			projection,
			sweepPending: timers.has(TIMERS.sweep),
		});
		return ok({ linkId: link.id, ...report });
	}
}
