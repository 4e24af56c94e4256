// Report section (f): tus PATCH throughput for a 64 MiB file.
import { TUS_TARGETS } from "../phases/tus.ts";
import type { Meta, TusResult } from "../results.ts";
import { f, table } from "./markdown.ts";

export function tusSection(tus: TusResult, m: Meta): string[] {
	const native = Number(tus.summary.native.mibps);
	const baseline = Number(tus.summary.baseline.mibps);
	return [
		"",
		"### (f) tus PATCH throughput for a 64 MiB file",
		"",
		`One ${tus.fileBytes / 1024 ** 2} MiB file per run, one request at a time: bare R2 multipart parts (the baseline), the service's native 8 MiB parts, and the service's tus endpoint with one PATCH (tus-js-client's chunkSize unset) or 8 MiB PATCHes; ${m.options.rounds} rounds, the order rotated every round. MiB/s is the median over rounds of (64 MiB / wall time of the requests); the tus creation POST and the native init are not timed, the last tus PATCH includes completing the multipart upload and queueing the finalize. Latency percentiles are per request.`,
		"",
		table(
			[
				"system",
				"requests",
				"MiB/s",
				"ratio to native parts",
				"ratio to bare R2",
				"MiB/s per round",
				"request p50 / p99 ms",
				"server CPU ms per MiB",
			],
			TUS_TARGETS.map(({ key, name }) => {
				const s = tus.summary[key];
				return [
					name,
					s.requests,
					f(s.mibps),
					key.startsWith("tus")
						? `**${f(Number(s.mibps) / native, 2)}**`
						: f(Number(s.mibps) / native, 2),
					f(Number(s.mibps) / baseline, 2),
					s.mibpsByRound.map((x) => f(x)).join(", "),
					`${f(s.p50, 0)} / ${f(s.p99, 0)}`,
					f(s.cpuMsPerMiB, 2),
				];
			}),
		),
	];
}
