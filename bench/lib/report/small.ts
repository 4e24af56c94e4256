// Report section (g): small files, complete, three ways.
import type { Meta, SmallResult, SmallSummary } from "../results.ts";
import { type Cell, f, table } from "./markdown.ts";

const NAMES = {
	bare: "bare R2 PUT (baseline Worker)",
	three: "init + PUT + finalize (3 requests)",
	one: "one request (`POST …/files`)",
} as const;

const KiB = 1024;

export function smallSection(small: SmallResult, m: Meta): string[] {
	const rows: Cell[][] = [];
	for (const row of small.summary) {
		const size =
			row.bytes >= 1024 * KiB ? `${row.bytes / (1024 * KiB)} MiB` : `${row.bytes / KiB} KiB`;
		for (const k of ["bare", "three", "one"] as const) {
			const s: SmallSummary = row[k];
			rows.push([
				size,
				row.concurrency,
				NAMES[k],
				f(s.ups, 1),
				f(s.rps, 1),
				k === "bare" ? "" : f(s.finalizedUps, 1),
				k === "one" ? `**${f(row.oneToThree, 2)}**` : k === "three" ? "1.00" : "",
				k === "bare" ? "1.00" : f(k === "one" ? row.oneToBare : row.threeToBare, 2),
				`${f(s.p50)} / ${f(s.p99)}`,
				s.do ? `${s.do.callsMin}–${s.do.callsMax}` : "0",
				f(s.cpuMsPerUpload, 2),
			]);
		}
	}
	const counts = Object.entries(small.count)
		.map(([c, n]) => `${n} at concurrency ${c}`)
		.join(", ");
	return [
		"",
		"### (g) Small files, complete: one request against three",
		"",
		`Complete uploads per second, each to its last answer (the finalize's 202 for the service; the bare PUT's 200 for the baseline): ${counts} uploads per run, ${m.options.rounds} rounds, the order of the three systems rotated; one link, unlimited. The finalize commands drain in the background during the runs of both service paths; after each run the bench waits for its last finalize to be final (so no backlog slows the next run): "uploads/s to finalized" counts that wait too.`,
		"",
		table(
			[
				"file",
				"conc.",
				"system",
				"uploads/s",
				"requests/s",
				"uploads/s to finalized",
				"vs 3 requests",
				"vs bare R2",
				"p50 / p99 ms per upload",
				"DO calls per upload",
				"service CPU ms per upload",
			],
			rows,
			"lrlrrrrrrrr",
		),
	];
}
