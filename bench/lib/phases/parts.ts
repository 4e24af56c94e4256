// (a) 8 MiB part uploads: the service against the bare baseline and the
// baseline with the service's length guard, at each concurrency, in rounds.
import { closedLoop, type JsonResponse } from "../http.ts";
import type { PartRun, PartSummary, PartsResult, PartTargetKey } from "../results.ts";
import type { Link } from "../service.ts";
import { median, present, round } from "../stats.ts";
import {
	type BenchContext,
	doStats,
	latencySummary,
	MiB,
	mergeDo,
	ms,
	PART,
	rotate,
	type Target,
	withCpu,
} from "./context.ts";

export type PartTarget = Target<PartTargetKey>;

export const PART_TARGETS: readonly PartTarget[] = [
	{ key: "baseline", name: "baseline (bare R2)", prefix: "" },
	{ key: "guard", name: "baseline + service length guard", prefix: "/guard" },
	{ key: "ours", name: "service (admit, R2, record)" },
];

export async function partsPhase(ctx: BenchContext): Promise<PartsResult> {
	const { svc, base, servers, rounds, concurrencies, partsPer, log } = ctx;
	const link = await svc.createLink({ maxFiles: null });
	const runs: PartRun[] = [];
	const runOne = async (target: PartTarget, c: number, n: number, roundNo: number) => {
		const server = target.key === "ours" ? servers.service : servers.baseline;
		const key = `parts-r${roundNo}-c${c}-${target.key}`;
		let tasks: (() => Promise<JsonResponse>)[];
		let cleanup: () => Promise<unknown>;
		if (target.key === "ours") {
			const up = await svc.init(link, `${key}.bin`, n * 8 * MiB);
			tasks = Array.from({ length: n }, (_, i) => () => svc.putPart(link, up, i + 1, PART));
			cleanup = () => svc.abort(link, up);
		} else {
			const prefix = target.prefix ?? "";
			const uploadId = await base.createMpu(key);
			tasks = Array.from(
				{ length: n },
				(_, i) => () => base.putPart(prefix, key, uploadId, i + 1, PART),
			);
			cleanup = () => base.abortMpu(key, uploadId);
		}
		const { value, cpu, clientCpuMs } = await withCpu(server, () => closedLoop(c, tasks));
		// Aborting frees the parts' disk space; a failure here does not spoil the measurement.
		await cleanup().catch((error: Error) =>
			log(`  (abort after the run failed: ${error.message})`),
		);
		const run: PartRun = {
			target: target.key,
			round: roundNo,
			concurrency: c,
			parts: n,
			wallMs: round(value.wallMs),
			mibps: round((n * 8) / (value.wallMs / 1000), 2),
			latencies: ms(value.results.map((r) => r.ms)),
			do: target.key === "ours" ? doStats(value.results) : null,
			cpuMsPerPart: cpu ? round(cpu.total / n) : null,
			cpu,
			clientCpuMs,
		};
		runs.push(run);
		return run;
	};
	await warmUp(ctx, link);
	for (let r = 1; r <= rounds; r++) {
		for (const c of concurrencies) {
			for (const t of rotate(PART_TARGETS, r + c)) {
				const run = await runOne(t, c, partsPerRun(partsPer, c), r);
				log(
					`  parts r${r} c=${String(c).padStart(2)} ${t.key.padEnd(8)} ${String(run.mibps).padStart(7)} MiB/s  p50 ${round(median(run.latencies), 0)} ms`,
				);
			}
		}
	}
	return { partBytes: 8 * MiB, partsPer, runs, summary: concurrencies.map((c) => row(runs, c)) };
}

function partsPerRun(partsPer: Record<number, number>, c: number): number {
	const n = partsPer[c];
	if (n === undefined) throw new Error(`no part count for concurrency ${c}`);
	return n;
}

/** Warm-up (not recorded): JIT, connections, R2 directories. */
async function warmUp({ svc, base }: BenchContext, link: Link): Promise<void> {
	for (const t of PART_TARGETS) {
		if (t.key === "ours") {
			const up = await svc.init(link, "warmup.bin", 2 * 8 * MiB);
			await closedLoop(
				2,
				[1, 2].map((n) => () => svc.putPart(link, up, n, PART)),
			);
			await svc.abort(link, up);
		} else {
			const prefix = t.prefix ?? "";
			const id = await base.createMpu(`warmup-${t.key}`);
			await closedLoop(
				2,
				[1, 2].map((n) => () => base.putPart(prefix, `warmup-${t.key}`, id, n, PART)),
			);
			await base.abortMpu(`warmup-${t.key}`, id);
		}
	}
}

/** One concurrency's summary over every round. */
function row(runs: PartRun[], c: number) {
	const summarize = (key: PartTargetKey): PartSummary => {
		const mine = runs.filter((x) => x.target === key && x.concurrency === c);
		return {
			mibps: round(median(present(mine.map((x) => x.mibps))), 2),
			mibpsByRound: mine.map((x) => x.mibps),
			...latencySummary(mine.flatMap((x) => x.latencies)),
			cpuMsPerPart: round(median(present(mine.map((x) => x.cpuMsPerPart)))),
			do: key === "ours" ? mergeDo(mine.map((x) => x.do)) : undefined,
		};
	};
	const baseline = summarize("baseline");
	const guard = summarize("guard");
	const ours = summarize("ours");
	return {
		concurrency: c,
		baseline,
		guard,
		ours,
		ratio: round(Number(ours.mibps) / Number(baseline.mibps), 3),
		guardRatio: round(Number(guard.mibps) / Number(baseline.mibps), 3),
		pairedRatios: runs
			.filter((x) => x.target === "ours" && x.concurrency === c)
			.map((o) => {
				const b = runs.find(
					(x) => x.target === "baseline" && x.concurrency === c && x.round === o.round,
				);
				return b ? round(Number(o.mibps) / Number(b.mibps), 3) : null;
			}),
	};
}
