// Formatting for the Markdown report: numbers, verdicts, tables, and the targets.

/** The targets the verdicts judge against. */
export const TARGET = {
	partsRatio: 0.9,
	tinyRatio: 0.7,
	/** (c): p50 ≤ max_batch_timeout + this; 200 ms at a timeout of 0 (issue 14). */
	commandSlackMs: 200,
	delete10kS: 60,
	tusRatio: 0.9,
	/** (g) one-request uploads/s over init + PUT + finalize's, 16 KiB files at concurrency 16. */
	smallRatio: 1.5,
};

/** `v` with `d` decimals, "–" when missing. */
export const f = (v: number | string | null | undefined, d = 1): string =>
	v === null || v === undefined ? "–" : Number(v).toFixed(d);

export const verdict = (ok: boolean | null): string =>
	ok === null ? "n/a" : ok ? "**met**" : "**missed**";

export type Cell = string | number;

/**
 * A Markdown table. `align`: true for all left, else a string of l/r per column
 * (default: the first column left, the others right).
 */
export function table(header: string[], rows: Cell[][], align: boolean | string = false): string {
	const a = (i: number) =>
		align === true ? "l" : typeof align === "string" ? (align[i] ?? "r") : i === 0 ? "l" : "r";
	return [
		`| ${header.join(" | ")} |`,
		`| ${header.map((_, i) => (a(i) === "l" ? "---" : "---:")).join(" | ")} |`,
		...rows.map((r) => `| ${r.join(" | ")} |`),
	].join("\n");
}
