// (b) Tiny single uploads: requests/s of 1 KiB PUTs at concurrency 16 (and
// latency at rest, one at a time), the service against the baseline and its
// attribution variants (+ length guard, + two empty DO RPCs).

import { randomBytes } from "node:crypto";
import { closedLoop, type JsonResponse } from "../http.ts";
import type {
	TinyInitRun,
	TinyResult,
	TinyRow,
	TinyRun,
	TinySummary,
	TinyTargetKey,
} from "../results.ts";
import { median, present, round } from "../stats.ts";
import {
	type BenchContext,
	doStats,
	latencySummary,
	mergeDo,
	ms,
	rotate,
	type Target,
	withCpu,
} from "./context.ts";

export type TinyTarget = Target<TinyTargetKey>;

export const TINY_TARGETS: readonly TinyTarget[] = [
	{ key: "baseline", name: "baseline (bare R2)", prefix: "" },
	{ key: "guard", name: "+ length guard", prefix: "/guard" },
	{ key: "rpc", name: "+ guard + 2 empty DO RPCs", prefix: "/guard/rpc" },
	{ key: "ours", name: "service (admit, R2, record)" },
];

export async function tinyPhase(ctx: BenchContext): Promise<TinyResult> {
	const { svc, base, servers, rounds, tinyCount, tinyBytes, log } = ctx;
	const body = randomBytes(tinyBytes);
	const link = await svc.createLink({ maxFiles: null });
	const runs: TinyRun[] = [];
	const inits: TinyInitRun[] = [];
	let seq = 0;
	const runOne = async (
		target: TinyTarget,
		c: number,
		n: number,
		roundNo: number,
		record = true,
	) => {
		const server = target.key === "ours" ? servers.service : servers.baseline;
		let tasks: (() => Promise<JsonResponse>)[];
		if (target.key === "ours") {
			// The inits are not part of the PUT measurement; they are timed on their own.
			const made = await closedLoop(
				c,
				Array.from({ length: n }, () => {
					const i = seq++;
					return () => svc.init(link, `tiny-${i}.txt`, tinyBytes);
				}),
			);
			if (record) {
				inits.push({
					round: roundNo,
					concurrency: c,
					n,
					wallMs: round(made.wallMs),
					rps: round(n / (made.wallMs / 1000)),
					latencies: ms(made.results.map((x) => x.res.ms)),
					do: doStats(made.results.map((x) => x.res)),
				});
			}
			tasks = made.results.map((up) => () => svc.putSingle(link, up, body));
		} else {
			const prefix = target.prefix ?? "";
			tasks = Array.from({ length: n }, () => {
				const i = seq++;
				return () => base.putSingle(prefix, `tiny-${target.key}-${i}`, body);
			});
		}
		const { value, cpu, clientCpuMs } = await withCpu(server, () => closedLoop(c, tasks));
		const run: TinyRun = {
			target: target.key,
			round: roundNo,
			concurrency: c,
			n,
			wallMs: round(value.wallMs),
			rps: round(n / (value.wallMs / 1000)),
			latencies: ms(value.results.map((r) => r.ms)),
			do: target.key === "ours" ? doStats(value.results) : null,
			cpuMsPerRequest: cpu ? round(cpu.total / n, 2) : null,
			cpu,
			clientCpuMs,
		};
		if (record) runs.push(run);
		return run;
	};
	for (const t of TINY_TARGETS) await runOne(t, 16, 50, 0, false);
	for (let r = 1; r <= rounds; r++) {
		for (const t of rotate(TINY_TARGETS, r)) {
			const run = await runOne(t, 16, tinyCount, r);
			log(
				`  tiny  r${r} c=16 ${t.key.padEnd(8)} ${String(run.rps).padStart(7)} req/s  p50 ${round(median(run.latencies), 1)} ms`,
			);
		}
	}
	// Latency at rest: one request at a time (the bare baseline and the service).
	for (const t of TINY_TARGETS.filter((x) => x.key === "baseline" || x.key === "ours")) {
		await runOne(t, 1, 40, rounds + 1);
	}
	const initRuns = inits.filter((x) => x.concurrency === 16);
	return {
		bytes: tinyBytes,
		count: tinyCount,
		runs,
		inits,
		summary: {
			c16: row(runs, 16),
			c1: row(runs, 1),
			init: {
				rps: round(median(present(initRuns.map((x) => x.rps)))),
				...latencySummary(initRuns.flatMap((x) => x.latencies)),
				do: mergeDo(initRuns.map((x) => x.do)),
			},
		},
	};
}

/** One concurrency's summary over every round, for the targets run at it. */
function row(runs: TinyRun[], c: number): TinyRow {
	const out: TinyRow = {};
	for (const t of TINY_TARGETS) {
		const mine = runs.filter((x) => x.target === t.key && x.concurrency === c);
		if (mine.length === 0) continue;
		const summary: TinySummary = {
			rps: round(median(present(mine.map((x) => x.rps)))),
			rpsByRound: mine.map((x) => x.rps),
			...latencySummary(mine.flatMap((x) => x.latencies)),
			cpuMsPerRequest: round(median(present(mine.map((x) => x.cpuMsPerRequest))), 2),
			do: t.key === "ours" ? mergeDo(mine.map((x) => x.do)) : undefined,
		};
		out[t.key] = summary;
	}
	if (out.ours && out.baseline)
		out.ratio = round(Number(out.ours.rps) / Number(out.baseline.rps), 3);
	return out;
}
