// Plain-text tables for the load test's report.

/** Renders rows (arrays of cells) under a header, columns padded; numbers right-aligned. */
export type Cell = string | number | null | undefined;

export function table(title: string, header: string[], rows: Cell[][]): string {
	const cells = [header, ...rows].map((r) =>
		r.map((c) => (c === null || c === undefined ? "" : String(c))),
	);
	const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
	const numeric = header.map(
		(_, i) =>
			rows.length > 0 &&
			rows.every((r) => typeof r[i] === "number" || r[i] === "" || r[i] === null),
	);
	const line = (r: string[]) =>
		r
			.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
			.join("  ")
			.trimEnd();
	const out = [
		`${title}`,
		`  ${line(cells[0] ?? [])}`,
		`  ${widths.map((w) => "-".repeat(w)).join("  ")}`,
	];
	for (const r of cells.slice(1)) out.push(`  ${line(r)}`);
	if (rows.length === 0) out.push("  (none)");
	return out.join("\n");
}

export function bytes(n: number): string {
	if (n < 1024) return `${n} B`;
	if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
	if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
	return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function seconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}
