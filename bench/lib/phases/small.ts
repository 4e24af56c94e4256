// (g) Small files, complete: uploads per second of 16 KiB and 1 MiB files, in
// the same run, for a bare R2 PUT on the baseline Worker, today's three
// requests (init + PUT + finalize, to the 202) and the one-request upload
// (POST /r/:linkId/files, to the 202). Every system runs in every round, the
// order rotated.

import { randomBytes } from "node:crypto";
import { closedLoop, type DoTiming, doTiming, type RawResponse } from "../http.ts";
import type {
	DoStats,
	SmallResult,
	SmallRow,
	SmallRun,
	SmallSummary,
	SmallTargetKey,
} from "../results.ts";
import type { Accepted, Link, Service } from "../service.ts";
import { median, percentile, present, round } from "../stats.ts";
import { type BenchContext, latencySummary, mergeDo, ms, rotate, withCpu } from "./context.ts";
import { pollToFinal } from "./poll.ts";

const KiB = 1024;
export const SMALL_SIZES = [16 * KiB, 1024 * KiB];
export const SMALL_CONCURRENCIES = [1, 16];
/** Uploads per run, by concurrency. */
const COUNT: Record<number, number> = { 1: 40, 16: 160 };
const QUICK_COUNT: Record<number, number> = { 1: 20, 16: 64 };

export const SMALL_TARGETS: readonly { key: SmallTargetKey; name: string }[] = [
	{ key: "bare", name: "bare R2 PUT (baseline Worker)" },
	{ key: "three", name: "init + PUT + finalize (3 requests)" },
	{ key: "one", name: "one request (POST …/files)" },
];

/** One upload's time and its DO calls (summed over its requests); the service's 202. */
interface Done {
	ms: number;
	do: DoTiming | null;
	accepted?: Accepted;
}

function sumDo(responses: RawResponse[]): DoTiming | null {
	const t = responses.map((r) => doTiming(r.headers));
	if (t.some((x) => x === null)) return null;
	return t.reduce<DoTiming>(
		(a, x) => ({ calls: a.calls + (x?.calls ?? 0), ms: a.ms + (x?.ms ?? 0) }),
		{
			calls: 0,
			ms: 0,
		},
	);
}

function doStatsOf(list: (DoTiming | null)[]): DoStats | null {
	const t = list.filter((x) => x !== null);
	if (t.length === 0) return null;
	const calls = t.map((x) => x.calls);
	const times = t.map((x) => x.ms);
	return {
		samples: t.length,
		callsMin: Math.min(...calls),
		callsMax: Math.max(...calls),
		msP50: round(median(times)),
		msP99: round(percentile(times, 99)),
	};
}

export async function smallPhase(ctx: BenchContext): Promise<SmallResult> {
	const { svc, base, servers, rounds, log, quick } = ctx;
	const count = quick ? QUICK_COUNT : COUNT;
	const link = await svc.createLink({ maxFiles: null, maxTotalBytes: null });
	const runs: SmallRun[] = [];
	let seq = 0;
	const task = (key: SmallTargetKey, l: Link, body: Uint8Array) => async (): Promise<Done> => {
		const i = seq++;
		const started = performance.now();
		if (key === "bare") {
			await base.putSingle("", `small-${i}`, body);
			return { ms: performance.now() - started, do: null };
		}
		if (key === "one") {
			const res = await svc.small(l, `small-${i}.bin`, body);
			return { ms: performance.now() - started, do: doTiming(res.headers), accepted: res };
		}
		const up = await svc.init(l, `small-${i}.bin`, body.byteLength);
		const put = await svc.putSingle(l, up, body);
		const fin = await svc.finalize(l, up);
		return { ms: performance.now() - started, do: sumDo([up.res, put, fin]), accepted: fin };
	};
	const runOne = async (key: SmallTargetKey, bytes: number, c: number, roundNo: number) => {
		const body = randomBytes(bytes);
		const n = count[c] ?? 40;
		const server = key === "bare" ? servers.baseline : servers.service;
		const tasks = Array.from({ length: n }, () => task(key, link, body));
		const { value, cpu, clientCpuMs } = await withCpu(server, () => closedLoop(c, tasks));
		const seconds = value.wallMs / 1000;
		// The finalizes drain in the background: wait for the run's last one (a link drains in
		// seq order) so its backlog does not slow the next run, and time it.
		const drained = await drain(svc, value.results);
		const run: SmallRun = {
			target: key,
			bytes,
			round: roundNo,
			concurrency: c,
			n,
			wallMs: round(value.wallMs),
			ups: round(n / seconds),
			rps: round((n * (key === "three" ? 3 : 1)) / seconds),
			finalizedUps: drained === null ? null : round(n / ((value.wallMs + drained) / 1000)),
			latencies: ms(value.results.map((r) => r.ms)),
			do: doStatsOf(value.results.map((r) => r.do)),
			cpu,
			clientCpuMs,
		};
		return run;
	};
	// Warm-up: every system once at each size, not recorded.
	for (const bytes of SMALL_SIZES) for (const t of SMALL_TARGETS) await runOne(t.key, bytes, 4, 0);
	for (let r = 1; r <= rounds; r++) {
		for (const bytes of SMALL_SIZES) {
			for (const c of SMALL_CONCURRENCIES) {
				for (const t of rotate(SMALL_TARGETS, r)) {
					const run = await runOne(t.key, bytes, c, r);
					runs.push(run);
					log(
						`  small r${r} ${String(bytes / KiB).padStart(4)} KiB c=${String(c).padEnd(2)} ${t.key.padEnd(5)} ${String(run.ups).padStart(7)} uploads/s (${run.rps} req/s)  p50 ${round(median(run.latencies), 1)} ms`,
					);
				}
			}
		}
	}
	const summary: SmallRow[] = [];
	for (const bytes of SMALL_SIZES) {
		for (const c of SMALL_CONCURRENCIES) {
			const of = (key: SmallTargetKey) =>
				summarize(runs.filter((x) => x.target === key && x.bytes === bytes && x.concurrency === c));
			const row = { bare: of("bare"), three: of("three"), one: of("one") };
			const ratio = (a: SmallSummary, b: SmallSummary) =>
				a.ups !== null && b.ups ? round(a.ups / b.ups, 3) : null;
			summary.push({
				bytes,
				concurrency: c,
				...row,
				oneToThree: ratio(row.one, row.three),
				oneToBare: ratio(row.one, row.bare),
				threeToBare: ratio(row.three, row.bare),
			});
		}
	}
	return { sizes: SMALL_SIZES, concurrencies: SMALL_CONCURRENCIES, count, runs, summary };
}

/** Waits for the last finalize of a run to be final; ms waited after the run (null: bare R2). */
async function drain(svc: Service, results: Done[]): Promise<number | null> {
	const accepted = results.map((r) => r.accepted).filter((a) => a !== undefined);
	const last = accepted.reduce<Accepted | undefined>(
		(a, x) => (a && a.json.command.seq > x.json.command.seq ? a : x),
		undefined,
	);
	if (!last) return null;
	const started = performance.now();
	await pollToFinal(svc, last, { intervalMs: 50 });
	return performance.now() - started;
}

function summarize(mine: SmallRun[]): SmallSummary {
	const perUpload = mine.map((x) => (x.cpu ? x.cpu.total / x.n : null));
	return {
		ups: round(median(present(mine.map((x) => x.ups)))),
		rps: round(median(present(mine.map((x) => x.rps)))),
		finalizedUps: round(median(present(mine.map((x) => x.finalizedUps)))),
		upsByRound: mine.map((x) => x.ups),
		...latencySummary(mine.flatMap((x) => x.latencies)),
		cpuMsPerUpload: round(median(present(perUpload)), 2),
		do: mergeDo(mine.map((x) => x.do)),
	};
}
