/**
 * The invariants of docs/design.md#invariants, checked over a snapshot of one link:
 * its DO state, its R2 objects and its D1 rows. Pure: the LinkDO gathers the
 * snapshot (admin audit endpoint), tests and the load test read the verdict.
 */
import { type CommandStatus, isFinal } from "../contract/enums";
import { isTerminal, type LinkState } from "./lifecycle";

export interface AuditSnapshot {
	link: {
		state: LinkState;
		epoch: number;
		terminalEpoch: number | null;
		filesCount: number;
		bytesTotal: number;
		reservedFiles: number;
		reservedBytes: number;
		maxFiles: number | null;
		maxTotalBytes: number | null;
	};
	transitions: { epoch: number; kind: string }[];
	commands: {
		id: string;
		seq: number;
		kind: string;
		status: string;
		appliedEpoch: number | null;
	}[];
	uploads: {
		id: string;
		state: string;
		size: number;
		admittedEpoch: number;
		completedEpoch: number | null;
	}[];
	parts: { uploadId: string; partNumber: number; recordedEpoch: number }[];
	/** Upload ids that have an object under the link's R2 prefix (other keys listed raw). */
	objects: string[];
	/** Upload ids with a row in D1 `files`. */
	indexedFiles: string[];
	/** The D1 `links` projection row. */
	projection: { state: string; epoch: number } | null;
	/** Whether the post-terminal sweep is still scheduled. */
	sweepPending: boolean;
}

export interface AuditReport {
	/** No command is waiting: the checks that need a quiet link were run. */
	settled: boolean;
	violations: string[];
}

/** Checks every invariant that can be judged on this snapshot. */
export function auditLink(s: AuditSnapshot): AuditReport {
	const v: string[] = [];
	const { link } = s;
	const unfinished = s.commands.filter((c) => !isFinal(c.status as CommandStatus));
	const settled = unfinished.length === 0;
	const fence = link.terminalEpoch;

	// 1. Nothing admitted or recorded at or after the terminal epoch.
	if (fence !== null) {
		for (const u of s.uploads) {
			if (u.admittedEpoch >= fence)
				v.push(`I1: upload ${u.id} admitted at epoch ${u.admittedEpoch} >= terminal ${fence}`);
			if (u.completedEpoch !== null && u.completedEpoch >= fence) {
				v.push(`I1: upload ${u.id} completed at epoch ${u.completedEpoch} >= terminal ${fence}`);
			}
		}
		for (const p of s.parts) {
			if (p.recordedEpoch >= fence) {
				v.push(
					`I1: part ${p.partNumber} of ${p.uploadId} recorded at ${p.recordedEpoch} >= terminal ${fence}`,
				);
			}
		}
	}

	// 3. The epoch rose by exactly one per applied transition.
	const epochs = s.transitions.map((t) => t.epoch).sort((a, b) => a - b);
	const expected = Array.from({ length: link.epoch - 1 }, (_, i) => i + 2);
	if (epochs.join(",") !== expected.join(",")) {
		v.push(`I3: epoch ${link.epoch} but transitions at [${epochs.join(",")}]`);
	}
	for (const c of s.commands) {
		if (c.kind !== "finalize" && c.status === "succeeded" && c.appliedEpoch === null) {
			v.push(`I3: ${c.kind} ${c.id} succeeded without an applied epoch`);
		}
	}

	// 8. Quotas and counters.
	const finalized = s.uploads.filter((u) => u.state === "finalized");
	const holding = s.uploads.filter((u) => u.state === "open" || u.state === "completed");
	const sum = (us: typeof s.uploads) => us.reduce((n, u) => n + u.size, 0);
	if (link.filesCount !== finalized.length)
		v.push(`I8: filesCount ${link.filesCount} != ${finalized.length} finalized`);
	if (link.bytesTotal !== sum(finalized))
		v.push(`I8: bytesTotal ${link.bytesTotal} != ${sum(finalized)}`);
	if (link.reservedFiles !== holding.length)
		v.push(`I8: reservedFiles ${link.reservedFiles} != ${holding.length}`);
	if (link.reservedBytes !== sum(holding))
		v.push(`I8: reservedBytes ${link.reservedBytes} != ${sum(holding)}`);
	if (link.maxFiles !== null && finalized.length + holding.length > link.maxFiles) {
		v.push(
			`I8: ${finalized.length} files + ${holding.length} reserved exceed maxFiles ${link.maxFiles}`,
		);
	}
	if (link.maxTotalBytes !== null && sum(finalized) + sum(holding) > link.maxTotalBytes) {
		v.push(`I8: bytes exceed maxTotalBytes ${link.maxTotalBytes}`);
	}

	const objects = new Set(s.objects);
	const indexed = new Set(s.indexedFiles);
	if (link.state !== "deleted") {
		// Accepted data is never lost: every finalized file has its bytes and its index row.
		for (const u of finalized) {
			if (!objects.has(u.id)) v.push(`data loss: finalized upload ${u.id} has no object`);
			if (!indexed.has(u.id)) v.push(`index: finalized upload ${u.id} has no files row`);
		}
		for (const id of indexed) {
			if (!finalized.some((u) => u.id === id))
				v.push(`index: files row for ${id} which is not finalized`);
		}
	}

	if (settled && isTerminal(link.state)) {
		// 5. Completed uploads were finalized or rejected, never left pending.
		for (const u of s.uploads) {
			if (u.state === "completed")
				v.push(`I5: upload ${u.id} left completed after the terminal transition`);
			if (u.state === "open") v.push(`I6: upload ${u.id} still open after the terminal transition`);
		}
		if (!s.sweepPending) {
			// 6. After the sweep, only finalized files have objects (none after delete).
			const allowed =
				link.state === "deleted" ? new Set<string>() : new Set(finalized.map((u) => u.id));
			for (const id of objects)
				if (!allowed.has(id)) v.push(`I6: object ${id} is not a finalized file`);
		}
		// 4. A deleted link leaves no bytes and no index row saying otherwise.
		if (link.state === "deleted") {
			if (s.objects.length > 0) v.push(`I4: ${s.objects.length} object(s) left after delete`);
			if (s.indexedFiles.length > 0)
				v.push(`I4: ${s.indexedFiles.length} files row(s) left after delete`);
		}
	}
	if (
		settled &&
		s.projection &&
		(s.projection.state !== link.state || s.projection.epoch !== link.epoch)
	) {
		v.push(
			`I4: projection says ${s.projection.state}@${s.projection.epoch}, DO says ${link.state}@${link.epoch}`,
		);
	}
	return { settled, violations: v };
}
