// The SVG charts of a run: throughput and latency of (a), tiny uploads (b),
// command latency (c), cleanup time (d).
import { barChart } from "../charts/bar.ts";
import { logLogChart, type Point } from "../charts/loglog.ts";
import { stripChart } from "../charts/strip.ts";
import { COLORS } from "../charts/svg.ts";
import type {
	CleanupResult,
	CommandsResult,
	PartsResult,
	Results,
	TinyResult,
} from "../results.ts";
import { f, TARGET } from "./markdown.ts";

/** File name → SVG text. */
export function renderCharts(r: Results): Record<string, string> {
	const charts: Record<string, string> = {};
	const sub = `${r.meta.machine.nproc} cores, loopback, wrangler ${r.meta.machine.wrangler}; medians of ${r.meta.options.rounds} rounds`;
	if (r.parts) Object.assign(charts, partsCharts(r.parts, sub));
	if (r.tiny) charts["tiny.svg"] = tinyChart(r.tiny, sub);
	if (r.commands) charts["commands.svg"] = commandsChart(r.commands, r.meta.maxBatchTimeoutS);
	if (r.cleanup) charts["cleanup.svg"] = cleanupChart(r.cleanup);
	return charts;
}

function partsCharts(parts: PartsResult, sub: string): Record<string, string> {
	return {
		"throughput.svg": barChart({
			title: "8 MiB part uploads: throughput by concurrency",
			subtitle: sub,
			yLabel: "MiB/s (median of rounds)",
			series: [
				{ key: "baseline", name: "baseline: bare R2 Worker", color: COLORS.baseline },
				{ key: "guard", name: "baseline + the service's length guard", color: COLORS.guard },
				{ key: "ours", name: "service", color: COLORS.ours },
			],
			groups: parts.summary.map((row) => ({
				label: `concurrency ${row.concurrency}`,
				values: { baseline: row.baseline.mibps, guard: row.guard.mibps, ours: row.ours.mibps },
				notes: { ours: `×${f(row.ratio, 2)}`, guard: `×${f(row.guardRatio, 2)}` },
			})),
		}),
		"latency.svg": barChart({
			title: "8 MiB part uploads: latency percentiles",
			subtitle: `${sub}; percentiles over all samples`,
			yLabel: "ms per part (request start to last byte of the answer)",
			series: [
				{ key: "bp50", name: "baseline p50", color: "#bdbdbd" },
				{ key: "bp99", name: "baseline p99", color: "#6e6e6e" },
				{ key: "op50", name: "service p50", color: "#f2a27c" },
				{ key: "op99", name: "service p99", color: "#b8481a" },
			],
			groups: parts.summary.map((row) => ({
				label: `concurrency ${row.concurrency}`,
				values: {
					bp50: row.baseline.p50,
					bp99: row.baseline.p99,
					op50: row.ours.p50,
					op99: row.ours.p99,
				},
			})),
		}),
	};
}

const TINY_NAMES = {
	baseline: "baseline: bare R2",
	guard: "+ length guard",
	rpc: "+ guard + 2 empty DO RPCs",
	ours: "service",
} as const;

function tinyChart(tiny: TinyResult, sub: string): string {
	const c16 = tiny.summary.c16;
	const rows = (["baseline", "guard", "rpc", "ours"] as const).flatMap((k) => {
		const s = c16[k];
		return s ? [{ k, s }] : [];
	});
	const baselineRps = Number(c16.baseline?.rps);
	return barChart({
		title: `Tiny single uploads (${tiny.bytes} B) at concurrency 16: requests/s`,
		subtitle: sub,
		yLabel: "requests/s (median of rounds)",
		series: rows.map(({ k }) => ({ key: k, name: TINY_NAMES[k], color: COLORS[k] })),
		groups: [
			{
				label: "requests/s",
				values: Object.fromEntries(rows.map(({ k, s }) => [k, s.rps])),
				notes: Object.fromEntries(
					rows.map(({ k, s }) => [
						k,
						`×${f(k === "ours" ? c16.ratio : Number(s.rps) / baselineRps, 2)}`,
					]),
				),
			},
			{
				label: "p50 latency (ms)",
				values: Object.fromEntries(rows.map(({ k, s }) => [k, s.p50])),
			},
			{
				label: "p99 latency (ms)",
				values: Object.fromEntries(rows.map(({ k, s }) => [k, s.p99])),
			},
		],
	});
}

function commandsChart(commands: CommandsResult, maxBatchTimeoutS: number | null): string {
	const t = (maxBatchTimeoutS ?? 1) * 1000;
	const samples = (list: { ms: number | null }[]) => list.map((x) => Number(x.ms));
	return stripChart({
		title: "Command latency: 202 Accepted to final status",
		subtitle: `every sample (${commands.samples.revoke.length} each), polled every ${commands.pollMs} ms`,
		yLabel: "ms",
		categories: [
			{
				label: "revoke",
				color: COLORS.revoke,
				samples: samples(commands.samples.revoke),
				p50: commands.summary.revoke.p50,
				p99: commands.summary.revoke.p99,
			},
			{
				label: "finalize",
				color: COLORS.finalize,
				samples: samples(commands.samples.finalize),
				p50: commands.summary.finalize.p50,
				p99: commands.summary.finalize.p99,
			},
		],
		lines: [
			{ value: t, label: `max_batch_timeout ${t} ms`, color: "#888" },
			{
				value: t + TARGET.commandSlackMs,
				label: `target p50 ≤ ${t + TARGET.commandSlackMs} ms`,
				color: "#c00",
			},
		],
	});
}

function cleanupChart(cleanup: CleanupResult): string {
	const pts = (kind: string): Point[] =>
		cleanup.results
			.filter((x) => x.kind === kind)
			.map((x): Point => [x.uploads, Number(x.ms) / 1000]);
	const del = pts("delete");
	const fit = cleanup.fits.delete;
	const refs: { label: string; points: Point[] }[] = [];
	if (fit && del.length > 1) {
		const xs = del.map(([x]) => x);
		refs.push({
			label: "linear fit (delete)",
			points: xs.map(
				(x): Point => [x, (Number(fit.interceptMs) + Number(fit.msPerUpload) * x) / 1000],
			),
		});
	}
	return logLogChart({
		title: "Cleanup time by uploads held (202 to succeeded)",
		subtitle: `${cleanup.putEvery > 1 ? `1 in ${cleanup.putEvery} uploads completed, the rest open` : "all completed"}; log-log axes`,
		xLabel: "uploads held by the link",
		yLabel: "seconds",
		series: [
			{ name: "revoke", color: COLORS.revoke, points: pts("revoke") },
			{ name: "delete", color: COLORS.delete, points: del, labelBelow: true },
		],
		refs,
		hline: {
			value: TARGET.delete10kS,
			label: `target: 10,000 deleted within ${TARGET.delete10kS} s`,
		},
	});
}
