// Report section (d): cleanup scaling, its linear fit and the SQL calibration.
import type { CleanupResult, SqlCalibration } from "../results.ts";
import { type Cell, f, table } from "./markdown.ts";

export function cleanupSection(
	cleanup: CleanupResult,
	hasCommands: boolean,
	sql: SqlCalibration | undefined,
): string[] {
	const rows: Cell[][] = [];
	for (const n of cleanup.sizes) {
		const rv = cleanup.results.find((x) => x.kind === "revoke" && x.uploads === n);
		const dl = cleanup.results.find((x) => x.kind === "delete" && x.uploads === n);
		rows.push([
			n.toLocaleString("en-US"),
			`${rv?.open ?? "–"} / ${rv?.completed ?? "–"}`,
			rv ? f(Number(rv.ms) / 1000, 2) : "–",
			dl ? f(Number(dl.ms) / 1000, 2) : "–",
			rv ? f(Number(rv.probe.max) / 1000, 2) : "–",
			dl ? f(Number(dl.probe.max) / 1000, 2) : "–",
			rv ? f(rv.populateS, 0) : "–",
		]);
	}
	const fr = cleanup.fits.revoke;
	const fd = cleanup.fits.delete;
	const out = [
		"",
		"### (d) Cleanup scaling",
		"",
		`Each size gets two fresh links, populated together (32 concurrent requests): every upload initialized, 1 in ${cleanup.putEvery} also PUT (completed), none finalized. Time is from the 202 of revoke / delete to the first poll that shows \`succeeded\`. While it runs, another link's public info is requested every 100 ms: "stall" is the longest such request.`,
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
		`Linear fit t = a + b·n: revoke a = ${f(fr?.interceptMs, 0)} ms, b = ${f(fr?.msPerUpload, 3)} ms/upload (R² ${f(fr?.r2, 4)}); delete a = ${f(fd?.interceptMs, 0)} ms, b = ${f(fd?.msPerUpload, 3)} ms/upload (R² ${f(fd?.r2, 4)}). Growth from ${fd?.decade[0].toLocaleString("en-US")} to ${fd?.decade[1].toLocaleString("en-US")} uploads, of the time above the fixed part t₀ = ${f(fd?.fixedMs, 0)} ms (${hasCommands ? "the p50 of an empty link's revoke in (c)" : "the fitted intercept"}; t − t₀ ∝ n^k): revoke k = ${f(fr?.exponentLastDecade, 2)}, delete k = ${f(fd?.exponentLastDecade, 2)}; raw ratio of the times: revoke ${f(fr?.ratioLastDecade, 2)}, delete ${f(fd?.ratioLastDecade, 2)}.`,
		"",
		"![Cleanup time by upload count](cleanup.svg)",
	];
	if (sql) {
		out.push(
			"",
			`Calibration (baseline Worker's Durable Object, ${sql.statements} statements against 0): a point read costs ${f(sql.readUs)} µs, a point update ${f(sql.writeUs)} µs in this runtime.`,
		);
	}
	return out;
}
