// Report section (a): 8 MiB part uploads.
import type { Meta, PartsResult } from "../results.ts";
import { f, table } from "./markdown.ts";

export function partsSection(parts: PartsResult, m: Meta): string[] {
	return [
		"",
		"### (a) 8 MiB part uploads",
		"",
		`Parts per run: ${Object.entries(parts.partsPer)
			.map(([c, n]) => `${n} at concurrency ${c}`)
			.join(
				", ",
			)}; ${m.options.rounds} rounds, the order of the three systems rotated every run. MiB/s is the median over rounds of (bytes sent / wall time of the run); percentiles are over every part of every round.`,
		"",
		table(
			[
				"concurrency",
				"baseline MiB/s",
				"+ guard MiB/s",
				"service MiB/s",
				"ratio",
				"ratio per round",
				"baseline p50 / p99 ms",
				"service p50 / p99 ms",
				"DO calls per part",
				"DO ms p50",
				"CPU ms per part: baseline / service",
			],
			parts.summary.map((row) => [
				row.concurrency,
				f(row.baseline.mibps),
				f(row.guard.mibps),
				f(row.ours.mibps),
				`**${f(row.ratio, 2)}**`,
				row.pairedRatios.map((x) => f(x, 2)).join(", "),
				`${f(row.baseline.p50, 0)} / ${f(row.baseline.p99, 0)}`,
				`${f(row.ours.p50, 0)} / ${f(row.ours.p99, 0)}`,
				row.ours.do ? `${row.ours.do.callsMin}–${row.ours.do.callsMax}` : "–",
				row.ours.do ? f(row.ours.do.msP50) : "–",
				`${f(row.baseline.cpuMsPerPart, 0)} / ${f(row.ours.cpuMsPerPart, 0)}`,
			]),
		),
		"",
		"![8 MiB parts: throughput by concurrency](throughput.svg)",
		"",
		"![8 MiB parts: latency percentiles](latency.svg)",
	];
}
