// What every phase is given, and the helpers they share: the 8 MiB part,
// latency and Server-Timing summaries, CPU accounting around a run.
import { randomBytes } from "node:crypto";
import type { DevServer } from "../../../scripts/lib/dev-server.ts";
import type { Baseline } from "../baseline.ts";
import { cpuDelta, cpuOfGroup } from "../cpu.ts";
import { doTiming, type RawResponse } from "../http.ts";
import type { Options } from "../options.ts";
import type { DoStats, LatencySummary } from "../results.ts";
import type { Service } from "../service.ts";
import { median, percentile, present, round } from "../stats.ts";

export type Log = (text: string) => void;

export interface BenchContext extends Options {
	svc: Service;
	base: Baseline;
	servers: { service: DevServer; baseline: DevServer };
	log: Log;
}

/** A system under test in (a) or (b): the service, or a baseline route prefix. */
export interface Target<K extends string> {
	key: K;
	name: string;
	/** The baseline's route prefix; none for the service. */
	prefix?: string;
}

export const MiB = 1024 * 1024;
export const PART = randomBytes(8 * MiB);

/** ms values rounded for results.json (latencies are always finite). */
export const ms = (values: number[]): number[] => values.map((v) => round(v, 1) ?? v);

export function latencySummary(latencies: number[]): LatencySummary {
	return {
		n: latencies.length,
		p50: round(percentile(latencies, 50)),
		p90: round(percentile(latencies, 90)),
		p99: round(percentile(latencies, 99)),
		max: round(Math.max(...latencies)),
	};
}

/** Rotates `list` by `k`: alternates which system goes first from round to round. */
export const rotate = <T>(list: readonly T[], k: number): T[] =>
	list.map((_, i) => list[(i + k) % list.length] as T);

export function doStats(results: RawResponse[]): DoStats | null {
	const t = results.map((r) => doTiming(r.headers)).filter((x) => x !== null);
	if (t.length === 0) return null;
	const calls = t.map((x) => x.calls);
	return {
		samples: t.length,
		callsMin: Math.min(...calls),
		callsMax: Math.max(...calls),
		msP50: round(median(t.map((x) => x.ms))),
		msP99: round(
			percentile(
				t.map((x) => x.ms),
				99,
			),
		),
	};
}

export function mergeDo(list: (DoStats | null)[]): DoStats | null {
	const xs = list.filter((x) => x !== null);
	if (xs.length === 0) return null;
	return {
		samples: xs.reduce((s, x) => s + x.samples, 0),
		callsMin: Math.min(...xs.map((x) => x.callsMin)),
		callsMax: Math.max(...xs.map((x) => x.callsMax)),
		msP50: round(median(present(xs.map((x) => x.msP50)))),
		msP99: round(Math.max(...present(xs.map((x) => x.msP99)))),
	};
}

/** Runs `fn` with the CPU time of the server's process group (and this client's) measured. */
export async function withCpu<T>(server: DevServer, fn: () => Promise<T>) {
	const before = cpuOfGroup(server.pid);
	const client = process.cpuUsage();
	const value = await fn();
	const after = cpuOfGroup(server.pid);
	const c = process.cpuUsage(client);
	return { value, cpu: cpuDelta(before, after), clientCpuMs: round((c.user + c.system) / 1000, 0) };
}
