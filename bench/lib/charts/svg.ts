// What every hand-written SVG chart shares: the frame, the legend, escaping,
// number formats and round tick steps. No dependencies; every chart is a
// self-contained string.

const FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\"";

export const COLORS = {
	baseline: "#8c8c8c",
	guard: "#d9a441",
	rpc: "#6aa5d8",
	ours: "#e0662b",
	revoke: "#6f4fb8",
	delete: "#c43d3d",
	finalize: "#2f8f5b",
} as const;

/** Margins of the plot area inside the chart. */
export interface Margins {
	top: number;
	right: number;
	bottom: number;
	left: number;
}

const ENTITIES: Record<string, string> = { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" };

export const esc = (s: unknown): string => String(s).replace(/[<>&"]/g, (c) => ENTITIES[c] ?? c);

/** A value label: 3 significant figures or so, "–" when missing. */
export function fmt(v: number | null | undefined): string {
	if (v === null || v === undefined || !Number.isFinite(v)) return "–";
	if (v === 0) return "0";
	if (Math.abs(v) >= 100) return String(Math.round(v));
	if (Math.abs(v) >= 10) return v.toFixed(1);
	return v.toFixed(2);
}

/** An axis label: at most 3 significant digits, no trailing zeros. */
export const tick = (v: number): string =>
	v >= 1000 ? Math.round(v).toLocaleString("en-US") : String(Number(v.toPrecision(3)));

/** Round tick steps (1, 2, 5 x 10^k) from 0 to at least `max`. */
export function niceTicks(max: number, count = 5): number[] {
	if (!(max > 0)) return [0, 1];
	const raw = max / count;
	const mag = 10 ** Math.floor(Math.log10(raw));
	const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
	const ticks: number[] = [];
	for (let t = 0; t <= max + step * 0.999; t += step) ticks.push(Number(t.toPrecision(12)));
	return ticks;
}

export function frame(
	width: number,
	height: number,
	title: string,
	subtitle: string | undefined,
	body: string[],
): string {
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
		`<title>${esc(title)}</title>`,
		`<rect width="${width}" height="${height}" fill="#ffffff"/>`,
		`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`,
		subtitle
			? `<text x="${width / 2}" y="40" text-anchor="middle" fill="#555">${esc(subtitle)}</text>`
			: "",
		...body,
		"</svg>",
		"",
	].join("\n");
}

export function legend(x: number, y: number, series: { name: string; color: string }[]): string[] {
	const out: string[] = [];
	let cx = x;
	for (const s of series) {
		out.push(`<rect x="${cx}" y="${y - 10}" width="12" height="12" fill="${s.color}"/>`);
		out.push(`<text x="${cx + 16}" y="${y}">${esc(s.name)}</text>`);
		cx += 34 + s.name.length * 7;
	}
	return out;
}

/** The x and y axis lines of a plot area. */
export function axes(m: Margins, w: number, h: number): string[] {
	return [
		`<line x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${m.top + h}" stroke="#333"/>`,
		`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + h}" stroke="#333"/>`,
	];
}

/** A horizontal gridline with its label at the left, and a rotated y-axis title. */
export function yGrid(
	m: Margins,
	w: number,
	h: number,
	ticks: number[],
	y: (v: number) => number,
	yLabel: string,
): string[] {
	const body: string[] = [];
	for (const t of ticks) {
		body.push(
			`<line x1="${m.left}" x2="${m.left + w}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e5e5"/>`,
			`<text x="${m.left - 6}" y="${y(t) + 4}" text-anchor="end" fill="#444">${tick(t)}</text>`,
		);
	}
	body.push(
		`<text transform="translate(18 ${m.top + h / 2}) rotate(-90)" text-anchor="middle" fill="#333">${esc(yLabel)}</text>`,
	);
	return body;
}
