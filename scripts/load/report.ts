// The load test's report: links, answers by status and route, commands,
// uploads by outcome, totals, notes, violations, and PASS or FAIL.
import type { OwnerCounts } from "./owner.ts";
import type { RunState } from "./state.ts";
import { bytes, seconds, table } from "./table.ts";
import type { Checks } from "./verify.ts";

export interface RunInfo {
	start: number;
	capped?: boolean;
	owner?: OwnerCounts;
	loadMs: number;
	quiesceMs?: number;
	checkMs?: number;
	checks?: Checks;
}

const byKey = (a: [number | string, unknown], b: [number | string, unknown]) =>
	String(a[0]).localeCompare(String(b[0]));

const COMMAND_STATUSES = [
	"succeeded",
	"rejected",
	"cancelled",
	"dead_lettered",
	"accepted",
	"applying",
];

const OUTCOMES = [
	"finalized",
	"completed",
	"aborted",
	"rejected",
	"gone",
	"error",
	"cut off",
	"not started",
];

function tally<T>(items: T[], key: (x: T) => string | null | undefined): Map<string, number> {
	const m = new Map<string, number>();
	for (const x of items) {
		const k = key(x);
		if (k !== undefined) m.set(String(k), (m.get(String(k)) ?? 0) + 1);
	}
	return m;
}

export function report(run: RunState, info: RunInfo): string {
	const o = run.o;
	const out: string[] = [""];
	out.push(
		`=== load test: seed ${o.seed}, ${o.uploaders} uploaders x ${o.files} files on ${o.links} links, ${run.baseUrl}${o.snapshot ? " (bundle snapshot)" : ""} ===`,
	);
	out.push(
		table(
			"Links",
			["#", "id", "policy", "maxFiles", "action", "fired", "state", "epoch", "files", "bytes"],
			run.links.map((L) => [
				L.index,
				L.id,
				L.lateFinalize,
				L.maxFiles ?? "-",
				L.action,
				L.firedAt ?? "-",
				L.finalState ?? "?",
				L.epoch ?? "-",
				L.files ?? "-",
				L.bytes ?? "-",
			]),
		),
	);
	const statuses = [...run.byStatus.entries()].sort(byKey);
	const total = statuses.reduce((n, [, c]) => n + c, 0);
	out.push(
		table(
			"Requests by status code",
			["status", "count"],
			[...statuses.map(([s, c]) => [String(s), c]), ["total", total]],
		),
	);
	out.push(
		table(
			"Requests by route",
			["route", "count", "statuses"],
			[...run.byRoute.entries()]
				.sort((a, b) => a[0].localeCompare(b[0]))
				.map(([route, m]) => [
					route,
					[...m.values()].reduce((n, c) => n + c, 0),
					[...m.entries()]
						.sort(byKey)
						.map(([s, c]) => `${s}:${c}`)
						.join(" "),
				]),
		),
	);
	const commands = [...run.commands.values()];
	const kinds = [...new Set(commands.map((c) => c.kind))].sort();
	out.push(
		table(
			"Commands by final status",
			["kind", ...COMMAND_STATUSES, "results"],
			kinds.map((k) => {
				const cs = commands.filter((c) => c.kind === k);
				const results = tally(cs, (c) => c.result);
				return [
					k,
					...COMMAND_STATUSES.map((s) => cs.filter((c) => c.status === s).length),
					[...results.entries()].map(([r, n]) => `${r}:${n}`).join(" "),
				];
			}),
		),
	);
	out.push(
		table(
			"Uploads by outcome (client side)",
			["outcome", "uploads", "multipart", "tus", "bytes", "details"],
			OUTCOMES.map((name) => {
				const rs = run.records.filter((x) => x.outcome === name);
				const details = tally(rs, (x) => x.detail || undefined);
				return [
					name,
					rs.length,
					rs.filter((x) => x.mode === "multipart").length,
					rs.filter((x) => x.protocol === "tus").length,
					bytes(rs.reduce((n, x) => n + x.size, 0)),
					[...details.entries()].map(([d, n]) => `${d}:${n}`).join(", "),
				];
			}).filter((row) => (row[1] as number) > 0),
		),
	);
	out.push(tusReport(run));
	out.push(totals(run, info));
	if (run.notes.length) {
		out.push(`Notes (${run.notes.length}, not violations)`);
		for (const n of run.notes.slice(0, 20)) out.push(`  - ${n}`);
		if (run.notes.length > 20) out.push(`  ... ${run.notes.length - 20} more`);
	}
	out.push(`Violations: ${run.violations.length}`);
	for (const v of run.violations.slice(0, 100)) out.push(`  - ${v}`);
	if (run.violations.length > 100) out.push(`  ... ${run.violations.length - 100} more`);
	out.push(run.violations.length ? `FAIL (reproduce the plan with --seed ${o.seed})` : "PASS");
	return out.join("\n");
}

const chunkName = (chunk: number | null) => (chunk ? `${chunk / 1024 ** 2} MiB` : "unset");

/** The tus uploaders (tus-js-client): outcomes by chunkSize, 423s waited out, PATCH timings, odd answers. */
function tusReport(run: RunState): string {
	const rs = run.records.filter((x) => x.protocol === "tus" && x.outcome);
	const chunks = [null, ...new Set(rs.map((x) => x.tus?.chunk ?? null).filter((c) => c !== null))]
		.sort((a, b) => (a ?? 0) - (b ?? 0))
		.filter((c) => rs.some((x) => (x.tus?.chunk ?? null) === c));
	const rows = OUTCOMES.map((name) => {
		const of = rs.filter((x) => x.outcome === name);
		const byChunk = chunks.map((c) => of.filter((x) => (x.tus?.chunk ?? null) === c).length);
		const details = tally(of, (x) => x.detail || undefined);
		return [
			name,
			of.length,
			...byChunk,
			of.reduce((n, x) => n + (x.tus?.waited423 ?? 0), 0),
			bytes(of.reduce((n, x) => n + x.size, 0)),
			[...details.entries()].map(([d, n]) => `${d}:${n}`).join(", "),
		];
	}).filter((row) => (row[1] as number) > 0);
	const t = run.tus;
	const ms = t.patches.map((p) => p.ms).sort((a, b) => a - b);
	const q = (f: number) => ms[Math.min(ms.length - 1, Math.floor(f * ms.length))] ?? 0;
	const big = t.patches.filter((p) => p.bytes >= 1024 ** 2);
	const mibs = big.length
		? big.reduce((n, p) => n + p.bytes, 0) / 1024 ** 2 / (big.reduce((n, p) => n + p.ms, 0) / 1000)
		: 0;
	const lines = [
		table(
			`tus uploads (tus-js-client, ${run.plan.uploaders.filter((p) => p.protocol === "tus").length} of ${run.o.uploaders} uploaders) by outcome and chunkSize`,
			["outcome", "uploads", ...chunks.map(chunkName), "423 retried", "bytes", "details"],
			rows,
		),
		`  PATCHes with data answered 2xx: ${t.patches.length}, time p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms; >= 1 MiB ones at ${mibs.toFixed(1)} MiB/s each`,
		`  resumed after a cut mid-PATCH (HEAD offset/bytes sent/size): ${t.resumes.join(", ") || "-"}`,
		`  uploads re-created by tus-js-client after a HEAD answered 4xx: ${t.recreated}; successes naming no finalize command: ${t.noCommand}`,
		`  answers whose Upload-Offset is not the end of the bytes sent: ${t.offsetOdd.length}`,
	];
	for (const o of t.offsetOdd.slice(0, 10)) lines.push(`    - ${o}`);
	return lines.join("\n");
}

function totals(run: RunState, info: RunInfo): string {
	const c = info.checks;
	return table(
		"Totals",
		["measure", "value"],
		[
			[
				"bytes accepted (files of non-deleted links)",
				`${c?.accepted ?? "?"} B (${bytes(c?.accepted ?? 0)}) in ${c?.acceptedFiles ?? "?"} files`,
			],
			[
				"downloads verified (sha256)",
				c
					? `${c.downloads.ok}/${c.downloads.checked} ok (${c.downloads.multipart} multipart, ${c.downloads.tus} tus)`
					: "?",
			],
			[
				"owner actions",
				`pause+resume ${info.owner?.pauseResume ?? 0}, PATCH ${info.owner?.patch ?? 0}, conditional PATCH ${info.owner?.conditional ?? 0}`,
			],
			[
				"load phase",
				`${seconds(info.loadMs)}${info.capped ? ` (hit the ${run.o.duration} s cap)` : ""}`,
			],
			["quiesce", seconds(info.quiesceMs ?? 0)],
			["checks (audit, lists, downloads)", seconds(info.checkMs ?? 0)],
			["total (incl. wrangler start)", seconds(Date.now() - info.start)],
		],
	);
}
