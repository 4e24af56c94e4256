// Writing a run's results: results.json, the SVG charts, report.md and (for
// bench/results) the generated section of BENCHMARKS.md, all formatted as
// Biome formats them so `npm run lint` stays clean.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderCharts, renderReport, targetVerdicts } from "./report/index.ts";
import type { Results } from "./results.ts";

export interface OutputPaths {
	root: string;
	/** Where this run's files go. */
	out: string;
	/** The committed results directory: only a run writing there refreshes BENCHMARKS.md. */
	results: string;
}

/** Reads a results.json written by an earlier run (`--render-only`). */
export function readResults(out: string): Results {
	return JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as Results;
}

/** Writes results.json with the verdicts, then renders; returns the report. */
export function writeResults(p: OutputPaths, results: Results): string {
	results.targets = targetVerdicts(results);
	mkdirSync(p.out, { recursive: true });
	const json = join(p.out, "results.json");
	writeFileSync(json, `${JSON.stringify(results, null, "\t")}\n`);
	const report = render(p, results);
	formatFiles(p.root, json);
	return report;
}

/** Charts, report.md and (for bench/results) the generated part of BENCHMARKS.md. */
export function render(p: OutputPaths, results: Results): string {
	results.targets = targetVerdicts(results);
	mkdirSync(p.out, { recursive: true });
	for (const [name, svg] of Object.entries(renderCharts(results))) {
		writeFileSync(join(p.out, name), svg);
	}
	const report = renderReport(results);
	writeFileSync(join(p.out, "report.md"), report);
	formatFiles(p.root, join(p.out, "report.md"));
	if (p.out === p.results) {
		updateBenchmarksMd(p.root, report);
		formatFiles(p.root, join(p.root, "BENCHMARKS.md"));
	}
	return report;
}

/** Files as Biome formats them (JSON, Markdown tables). */
function formatFiles(root: string, ...files: string[]): void {
	const biome = join(root, "node_modules", "@biomejs", "biome", "bin", "biome");
	if (!existsSync(biome)) return;
	try {
		execFileSync(process.execPath, [biome, "format", "--write", ...files], {
			cwd: root,
			stdio: "ignore",
		});
	} catch {
		// formatting is cosmetic
	}
}

const START = "<!-- bench:generated:start -->";
const END = "<!-- bench:generated:end -->";

/** Replaces the generated section of BENCHMARKS.md (between the markers) with this run's report. */
function updateBenchmarksMd(root: string, report: string): void {
	const file = join(root, "BENCHMARKS.md");
	if (!existsSync(file)) return;
	const text = readFileSync(file, "utf8");
	const a = text.indexOf(START);
	const b = text.indexOf(END);
	if (a < 0 || b < a) return;
	const body = report.replace(/\]\((?!https?:)([^)]+\.svg)\)/g, "](bench/results/$1)");
	writeFileSync(file, `${text.slice(0, a + START.length)}\n\n${body.trim()}\n\n${text.slice(b)}`);
}
