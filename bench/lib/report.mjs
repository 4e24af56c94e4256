// Turns results.json into target verdicts, SVG charts and a Markdown report.
import { barChart, COLORS, logLogChart, stripChart } from "./charts.mjs";

const TARGET = { partsRatio: 0.9, tinyRatio: 0.7, commandSlackMs: 100, delete10kS: 60 };

const f = (v, d = 1) => (v === null || v === undefined ? "–" : Number(v).toFixed(d));
const verdict = (ok) => (ok === null ? "n/a" : ok ? "**met**" : "**missed**");

export function targetVerdicts(r) {
	const out = [];
	for (const row of r.parts?.summary ?? []) {
		out.push({
			id: `a-c${row.concurrency}`,
			target: `(a) 8 MiB parts at concurrency ${row.concurrency}: ≥ ${TARGET.partsRatio} of baseline MiB/s`,
			measured: `${f(row.ratio, 2)} (${f(row.ours.mibps)} / ${f(row.baseline.mibps)} MiB/s)`,
			ok: row.ratio >= TARGET.partsRatio,
		});
	}
	if (r.tiny?.summary?.c16?.ratio !== undefined) {
		out.push({
			id: "b",
			target: `(b) tiny uploads at concurrency 16: ≥ ${TARGET.tinyRatio} of baseline requests/s`,
			measured: `${f(r.tiny.summary.c16.ratio, 2)} (${f(r.tiny.summary.c16.ours.rps, 0)} / ${f(r.tiny.summary.c16.baseline.rps, 0)} req/s)`,
			ok: r.tiny.summary.c16.ratio >= TARGET.tinyRatio,
		});
	}
	if (r.commands) {
		const limit = (r.meta.maxBatchTimeoutS ?? 1) * 1000 + TARGET.commandSlackMs;
		for (const kind of ["revoke", "finalize"]) {
			const p50 = r.commands.summary[kind].p50;
			out.push({
				id: `c-${kind}`,
				target: `(c) ${kind} p50 ≤ max_batch_timeout + ${TARGET.commandSlackMs} ms = ${limit} ms`,
				measured: `${f(p50, 0)} ms`,
				ok: p50 <= limit,
			});
		}
	}
	if (r.cleanup) {
		for (const kind of ["revoke", "delete"]) {
			const fit = r.cleanup.fits[kind];
			if (!fit) continue;
			const e = fit.exponentLastDecade;
			out.push({
				id: `d-linear-${kind}`,
				target: `(d) ${kind} cleanup linear in uploads (exponent over the last decade ≈ 1, R² of a line ≥ 0.98)`,
				measured: `exponent ${f(e, 2)}, R² ${f(fit.r2, 4)}, ${f(fit.msPerUpload, 2)} ms/upload`,
				ok: e !== null && e <= 1.15 && fit.r2 >= 0.98,
			});
		}
		const d10k = r.cleanup.results.find((x) => x.kind === "delete" && x.uploads === 10000);
		out.push({
			id: "d-10k",
			target: `(d) 10,000 uploads deleted within ${TARGET.delete10kS} s`,
			measured: d10k ? `${f(d10k.ms / 1000, 1)} s` : "not run",
			ok: d10k ? d10k.ms / 1000 <= TARGET.delete10kS && d10k.status === "succeeded" : null,
		});
	}
	const partDo = r.parts?.summary?.map((x) => x.ours.do).filter(Boolean) ?? [];
	if (partDo.length > 0) {
		const min = Math.min(...partDo.map((x) => x.callsMin));
		const max = Math.max(...partDo.map((x) => x.callsMax));
		const n = partDo.reduce((s, x) => s + x.samples, 0);
		out.push({
			id: "e",
			target: "(e) exactly 2 DO round trips per part upload",
			measured: min === max ? `${min} in all ${n} part PUTs` : `${min}..${max} over ${n} part PUTs`,
			ok: min === 2 && max === 2,
		});
	}
	return out;
}

export function renderCharts(r) {
	const charts = {};
	const sub = `${r.meta.machine.nproc} cores, loopback, wrangler ${r.meta.machine.wrangler}; medians of ${r.meta.options.rounds} rounds`;
	if (r.parts) {
		charts["throughput.svg"] = barChart({
			title: "8 MiB part uploads: throughput by concurrency",
			subtitle: sub,
			yLabel: "MiB/s (median of rounds)",
			series: [
				{ key: "baseline", name: "baseline: bare R2 Worker", color: COLORS.baseline },
				{ key: "guard", name: "baseline + the service's length guard", color: COLORS.guard },
				{ key: "ours", name: "service", color: COLORS.ours },
			],
			groups: r.parts.summary.map((row) => ({
				label: `concurrency ${row.concurrency}`,
				values: { baseline: row.baseline.mibps, guard: row.guard.mibps, ours: row.ours.mibps },
				notes: { ours: `×${f(row.ratio, 2)}`, guard: `×${f(row.guardRatio, 2)}` },
			})),
		});
		charts["latency.svg"] = barChart({
			title: "8 MiB part uploads: latency percentiles",
			subtitle: `${sub}; percentiles over all samples`,
			yLabel: "ms per part (request start to last byte of the answer)",
			series: [
				{ key: "bp50", name: "baseline p50", color: "#bdbdbd" },
				{ key: "bp99", name: "baseline p99", color: "#6e6e6e" },
				{ key: "op50", name: "service p50", color: "#f2a27c" },
				{ key: "op99", name: "service p99", color: "#b8481a" },
			],
			groups: r.parts.summary.map((row) => ({
				label: `concurrency ${row.concurrency}`,
				values: {
					bp50: row.baseline.p50,
					bp99: row.baseline.p99,
					op50: row.ours.p50,
					op99: row.ours.p99,
				},
			})),
		});
	}
	if (r.tiny) {
		const c16 = r.tiny.summary.c16;
		const keys = ["baseline", "guard", "rpc", "ours"].filter((k) => c16[k]);
		const names = {
			baseline: "baseline: bare R2",
			guard: "+ length guard",
			rpc: "+ guard + 2 empty DO RPCs",
			ours: "service",
		};
		const colors = {
			baseline: COLORS.baseline,
			guard: COLORS.guard,
			rpc: COLORS.rpc,
			ours: COLORS.ours,
		};
		charts["tiny.svg"] = barChart({
			title: `Tiny single uploads (${r.tiny.bytes} B) at concurrency 16: requests/s`,
			subtitle: sub,
			yLabel: "requests/s (median of rounds)",
			series: keys.map((k) => ({ key: k, name: names[k], color: colors[k] })),
			groups: [
				{
					label: "requests/s",
					values: Object.fromEntries(keys.map((k) => [k, c16[k].rps])),
					notes: Object.fromEntries(
						keys.map((k) => [
							k,
							`×${f(k === "ours" ? c16.ratio : c16[k].rps / c16.baseline.rps, 2)}`,
						]),
					),
				},
				{
					label: "p50 latency (ms)",
					values: Object.fromEntries(keys.map((k) => [k, c16[k].p50])),
				},
				{
					label: "p99 latency (ms)",
					values: Object.fromEntries(keys.map((k) => [k, c16[k].p99])),
				},
			],
		});
	}
	if (r.commands) {
		const t = (r.meta.maxBatchTimeoutS ?? 1) * 1000;
		charts["commands.svg"] = stripChart({
			title: "Command latency: 202 Accepted to final status",
			subtitle: `every sample (${r.commands.samples.revoke.length} each), polled every ${r.commands.pollMs} ms`,
			yLabel: "ms",
			categories: [
				{
					label: "revoke",
					color: COLORS.revoke,
					samples: r.commands.samples.revoke.map((x) => x.ms),
					p50: r.commands.summary.revoke.p50,
					p99: r.commands.summary.revoke.p99,
				},
				{
					label: "finalize",
					color: COLORS.finalize,
					samples: r.commands.samples.finalize.map((x) => x.ms),
					p50: r.commands.summary.finalize.p50,
					p99: r.commands.summary.finalize.p99,
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
	if (r.cleanup) {
		const pts = (kind) =>
			r.cleanup.results.filter((x) => x.kind === kind).map((x) => [x.uploads, x.ms / 1000]);
		const del = pts("delete");
		const fit = r.cleanup.fits.delete;
		const refs = [];
		if (fit && del.length > 1) {
			const xs = del.map(([x]) => x);
			refs.push({
				label: "linear fit (delete)",
				points: xs.map((x) => [x, (fit.interceptMs + fit.msPerUpload * x) / 1000]),
			});
		}
		charts["cleanup.svg"] = logLogChart({
			title: "Cleanup time by uploads held (202 to succeeded)",
			subtitle: `${r.cleanup.putEvery > 1 ? `1 in ${r.cleanup.putEvery} uploads completed, the rest open` : "all completed"}; log-log axes`,
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
	return charts;
}

/**
 * A Markdown table. `align`: true for all left, else a string of l/r per column
 * (default: the first column left, the others right).
 */
function table(header, rows, align = false) {
	const a = (i) =>
		align === true ? "l" : typeof align === "string" ? (align[i] ?? "r") : i === 0 ? "l" : "r";
	return [
		`| ${header.join(" | ")} |`,
		`| ${header.map((_, i) => (a(i) === "l" ? "---" : "---:")).join(" | ")} |`,
		...rows.map((r) => `| ${r.join(" | ")} |`),
	].join("\n");
}

export function renderReport(r) {
	const m = r.meta;
	const out = [];
	out.push(
		`Generated by \`npm run bench\` on ${m.startedAt.slice(0, 16).replace("T", " ")} UTC in ${m.durationS} s (commit \`${(m.commit ?? "unknown").slice(0, 12)}\`, src/ digest \`${m.srcDigest ?? "?"}\`${m.serviceRoot !== "." ? `, service from ${m.serviceRoot}` : ""}).`,
		"",
		table(
			["machine", ""],
			[
				["CPU (`nproc`)", `${m.machine.nproc} × ${m.machine.cpuModel}`],
				[
					"memory (`free -g`)",
					`${/Mem:\s+(\d+)/.exec(m.machine.freeG ?? "")?.[1] ?? "?"} GiB total`,
				],
				["`uname -a`", `\`${m.machine.uname}\``],
				[
					"node / wrangler / workerd",
					`${m.machine.node} / ${m.machine.wrangler} / ${m.machine.workerd}`,
				],
				[
					"load average (1, 5, 15 min)",
					`start ${m.loadavgStart.join(", ")}; end ${m.loadavgEnd.join(", ")}`,
				],
				["`max_batch_timeout` (link-commands)", `${m.maxBatchTimeoutS} s`],
			],
			true,
		),
		"",
		"### Targets",
		"",
		table(
			["target", "measured", "verdict"],
			r.targets.map((t) => [
				t.target,
				typeof t.measured === "number" ? f(t.measured, 3) : t.measured,
				verdict(t.ok),
			]),
			true,
		),
	);
	if (r.parts) {
		out.push(
			"",
			`### (a) 8 MiB part uploads`,
			"",
			`Parts per run: ${Object.entries(r.parts.partsPer)
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
				r.parts.summary.map((row) => [
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
		);
	}
	if (r.tiny) {
		const s = r.tiny.summary;
		const names = {
			baseline: "baseline (bare R2 PUT)",
			guard: "+ length guard",
			rpc: "+ guard + 2 empty DO RPCs",
			ours: "service PUT (admit, R2, record)",
		};
		out.push(
			"",
			`### (b) Tiny single uploads (${r.tiny.bytes} bytes)`,
			"",
			`${r.tiny.count} PUTs per run at concurrency 16, ${m.options.rounds} rounds, order rotated; 40 PUTs one at a time for latency at rest. The service's uploads are initialized before each run (not timed with the PUTs; the init row times them).`,
			"",
			table(
				[
					"system",
					"req/s (c=16)",
					"ratio",
					"p50 / p99 ms (c=16)",
					"p50 / p99 ms (c=1)",
					"DO calls",
					"CPU ms per request",
				],
				[
					...["baseline", "guard", "rpc", "ours"]
						.filter((k) => s.c16[k])
						.map((k) => [
							names[k],
							f(s.c16[k].rps, 0),
							k === "ours" ? `**${f(s.c16.ratio, 2)}**` : f(s.c16[k].rps / s.c16.baseline.rps, 2),
							`${f(s.c16[k].p50)} / ${f(s.c16[k].p99)}`,
							s.c1[k] ? `${f(s.c1[k].p50)} / ${f(s.c1[k].p99)}` : "–",
							k === "ours" && s.c16.ours.do
								? `${s.c16.ours.do.callsMin}–${s.c16.ours.do.callsMax}`
								: k === "rpc"
									? "2 (empty)"
									: "0",
							f(s.c16[k].cpuMsPerRequest, 2),
						]),
					[
						"service init (`POST …/uploads`)",
						f(s.init.rps, 0),
						"",
						`${f(s.init.p50)} / ${f(s.init.p99)}`,
						"–",
						s.init.do ? `${s.init.do.callsMin}–${s.init.do.callsMax}` : "–",
						"",
					],
				],
			),
			"",
			"![Tiny uploads](tiny.svg)",
		);
	}
	if (r.commands) {
		const c = r.commands.summary;
		const t = (m.maxBatchTimeoutS ?? 1) * 1000;
		out.push(
			"",
			"### (c) Command latency",
			"",
			`From the client receiving the 202 to the first poll (every ${r.commands.pollMs} ms, \`Retry-Token\`) that shows a final status. "Server" is the command's own \`createdAt\` → \`finishedAt\`. \`max_batch_timeout\` = ${t} ms.`,
			"",
			table(
				[
					"command",
					"samples",
					"p50 ms",
					"p90 ms",
					"p99 ms",
					"max ms",
					"server p50 ms",
					"all succeeded",
				],
				["revoke", "finalize", "burst"].map((k) => [
					k === "burst" ? "revoke, 10 at once (fills a batch)" : k,
					c[k].n,
					`**${f(c[k].p50, 0)}**`,
					f(c[k].p90, 0),
					f(c[k].p99, 0),
					f(c[k].max, 0),
					f(c[k].serverP50, 0),
					c[k].allSucceeded ? "yes" : "no",
				]),
			),
			"",
			"![Command latency](commands.svg)",
		);
	}
	if (r.cleanup) {
		const rows = [];
		for (const n of r.cleanup.sizes) {
			const rv = r.cleanup.results.find((x) => x.kind === "revoke" && x.uploads === n);
			const dl = r.cleanup.results.find((x) => x.kind === "delete" && x.uploads === n);
			rows.push([
				n.toLocaleString("en-US"),
				`${rv?.open ?? "–"} / ${rv?.completed ?? "–"}`,
				rv ? f(rv.ms / 1000, 2) : "–",
				dl ? f(dl.ms / 1000, 2) : "–",
				rv ? f(rv.probe.max / 1000, 2) : "–",
				dl ? f(dl.probe.max / 1000, 2) : "–",
				rv ? f(rv.populateS, 0) : "–",
			]);
		}
		const fr = r.cleanup.fits.revoke;
		const fd = r.cleanup.fits.delete;
		out.push(
			"",
			"### (d) Cleanup scaling",
			"",
			`Each size gets two fresh links, populated together (32 concurrent requests): every upload initialized, 1 in ${r.cleanup.putEvery} also PUT (completed), none finalized. Time is from the 202 of revoke / delete to the first poll that shows \`succeeded\`. While it runs, another link's public info is requested every 100 ms: "stall" is the longest such request.`,
			"",
			table(
				[
					"uploads",
					"open / completed",
					"revoke s",
					"delete s",
					"revoke: other link stalled s",
					"delete: other link stalled s",
					"populate s",
				],
				rows,
			),
			"",
			`Linear fit t = a + b·n: revoke a = ${f(fr?.interceptMs, 0)} ms, b = ${f(fr?.msPerUpload, 3)} ms/upload (R² ${f(fr?.r2, 4)}); delete a = ${f(fd?.interceptMs, 0)} ms, b = ${f(fd?.msPerUpload, 3)} ms/upload (R² ${f(fd?.r2, 4)}). Growth from ${fd?.decade?.[0]?.toLocaleString("en-US")} to ${fd?.decade?.[1]?.toLocaleString("en-US")} uploads, of the time above the fixed part t₀ = ${f(fd?.fixedMs, 0)} ms (${r.commands ? "the p50 of an empty link's revoke in (c)" : "the fitted intercept"}; t − t₀ ∝ n^k): revoke k = ${f(fr?.exponentLastDecade, 2)}, delete k = ${f(fd?.exponentLastDecade, 2)}; raw ratio of the times: revoke ${f(fr?.ratioLastDecade, 2)}, delete ${f(fd?.ratioLastDecade, 2)}.`,
			"",
			"![Cleanup time by upload count](cleanup.svg)",
		);
		if (r.sqlCalibration) {
			out.push(
				"",
				`Calibration (baseline Worker's Durable Object, ${r.sqlCalibration.statements} statements against 0): a point read costs ${f(r.sqlCalibration.readUs)} µs, a point update ${f(r.sqlCalibration.writeUs)} µs in this runtime.`,
			);
		}
	}
	if (r.doCalls) {
		out.push(
			"",
			"### (e) Durable Object round trips per request (`Server-Timing: do`)",
			"",
			table(
				["request", "status", "DO calls", "DO ms"],
				r.doCalls.rows.map((x) => [x.op, x.status, x.calls ?? "–", f(x.ms)]),
			),
		);
	}
	if (r.profiles) {
		for (const [name, p] of Object.entries(r.profiles)) {
			if (!p) continue;
			out.push(
				"",
				`### Profile: ${name} (service isolate, ${p.sampledMs} ms sampled, ${p.idlePct}% idle)`,
				"",
				table(
					["self ms", "%", "function", "source line"],
					p.self
						.slice(0, 15)
						.map((x) => [
							f(x.ms),
							f(x.pct),
							`\`${x.function}\``,
							x.source ? `\`${x.source.replace(/`/g, "'").replace(/\|/g, "\\|")}\`` : "",
						]),
				),
				"",
				table(
					["inclusive ms", "%", "function"],
					p.inclusive.slice(0, 15).map((x) => [f(x.ms), f(x.pct), `\`${x.function}\``]),
					"rrl",
				),
			);
		}
	}
	return `${out.join("\n")}\n`;
}
