// Report section (b): tiny single uploads.
import type { Meta, TinyResult } from "../results.ts";
import { type Cell, f, table } from "./markdown.ts";

const NAMES = {
	baseline: "baseline (bare R2 PUT)",
	guard: "+ length guard",
	rpc: "+ guard + 2 empty DO RPCs",
	ours: "service PUT (admit, R2, record)",
} as const;

export function tinySection(tiny: TinyResult, m: Meta): string[] {
	const s = tiny.summary;
	const rows: Cell[][] = [];
	for (const k of ["baseline", "guard", "rpc", "ours"] as const) {
		const c16 = s.c16[k];
		if (!c16) continue;
		const c1 = s.c1[k];
		rows.push([
			NAMES[k],
			f(c16.rps, 0),
			k === "ours"
				? `**${f(s.c16.ratio, 2)}**`
				: f(Number(c16.rps) / Number(s.c16.baseline?.rps), 2),
			`${f(c16.p50)} / ${f(c16.p99)}`,
			c1 ? `${f(c1.p50)} / ${f(c1.p99)}` : "–",
			k === "ours" && c16.do
				? `${c16.do.callsMin}–${c16.do.callsMax}`
				: k === "rpc"
					? "2 (empty)"
					: "0",
			f(c16.cpuMsPerRequest, 2),
		]);
	}
	rows.push([
		"service init (`POST …/uploads`)",
		f(s.init.rps, 0),
		"",
		`${f(s.init.p50)} / ${f(s.init.p99)}`,
		"–",
		s.init.do ? `${s.init.do.callsMin}–${s.init.do.callsMax}` : "–",
		"",
	]);
	return [
		"",
		`### (b) Tiny single uploads (${tiny.bytes} bytes)`,
		"",
		`${tiny.count} PUTs per run at concurrency 16, ${m.options.rounds} rounds, order rotated; 40 PUTs one at a time for latency at rest. The service's uploads are initialized before each run (not timed with the PUTs; the init row times them).`,
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
			rows,
		),
		"",
		"![Tiny uploads](tiny.svg)",
	];
}
