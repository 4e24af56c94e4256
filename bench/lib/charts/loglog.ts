// Lines on log-log axes (cleanup time by uploads held).
import { axes, esc, fmt, frame, legend, tick } from "./svg.ts";

export type Point = [number, number];

export interface LogLogChart {
	title: string;
	subtitle?: string;
	xLabel: string;
	yLabel: string;
	series: { name: string; color: string; points: Point[]; labelBelow?: boolean }[];
	/** Dashed reference lines. */
	refs?: { label: string; points: Point[] }[];
	hline?: { value: number; label: string };
	width?: number;
	height?: number;
}

/** 1, 2 and 5 times the powers of ten between `lo` and `hi`. */
function decades(lo: number, hi: number): number[] {
	const out: number[] = [];
	for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) {
		for (const k of [1, 2, 5]) if (k * 10 ** e >= lo && k * 10 ** e <= hi) out.push(k * 10 ** e);
	}
	return out;
}

export function logLogChart({
	title,
	subtitle,
	xLabel,
	yLabel,
	series,
	refs = [],
	hline,
	width = 760,
	height = 440,
}: LogLogChart): string {
	const m = { top: 64, right: 30, bottom: 76, left: 76 };
	const w = width - m.left - m.right;
	const h = height - m.top - m.bottom;
	const xs = series.flatMap((s) => s.points.map((p) => p[0]));
	const ys = [...series.flatMap((s) => s.points.map((p) => p[1])), hline?.value ?? 0].filter(
		(v) => v > 0,
	);
	// A little room beyond the data; gridlines at the powers of ten inside.
	const x0 = Math.min(...xs) / 1.6;
	const x1 = Math.max(...xs) * 1.6;
	const y0 = Math.min(...ys) / 1.8;
	const y1 = Math.max(...ys) * 1.8;
	const X = (v: number) =>
		m.left + ((Math.log10(v) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * w;
	const Y = (v: number) =>
		m.top + h - ((Math.log10(v) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * h;
	const body: string[] = [];
	for (const d of decades(x0, x1).filter((v) => /^1/.test(String(v)))) {
		body.push(
			`<line x1="${X(d)}" x2="${X(d)}" y1="${m.top}" y2="${m.top + h}" stroke="#e5e5e5"/>`,
			`<text x="${X(d)}" y="${m.top + h + 18}" text-anchor="middle" fill="#444">${d.toLocaleString("en-US")}</text>`,
		);
	}
	for (const d of decades(y0, y1)) {
		body.push(
			`<line x1="${m.left}" x2="${m.left + w}" y1="${Y(d)}" y2="${Y(d)}" stroke="#e5e5e5"/>`,
			`<text x="${m.left - 6}" y="${Y(d) + 4}" text-anchor="end" fill="#444">${tick(d)}</text>`,
		);
	}
	body.push(
		`<text x="${m.left + w / 2}" y="${m.top + h + 40}" text-anchor="middle" fill="#333">${esc(xLabel)}</text>`,
		`<text transform="translate(20 ${m.top + h / 2}) rotate(-90)" text-anchor="middle" fill="#333">${esc(yLabel)}</text>`,
	);
	for (const r of refs) {
		const pts = r.points.filter(([, v]) => v >= y0 && v <= y1);
		const last = pts[pts.length - 1];
		if (pts.length < 2 || !last) continue;
		body.push(
			`<polyline fill="none" stroke="#999" stroke-dasharray="4 4" points="${pts.map(([a, b]) => `${X(a)},${Y(b)}`).join(" ")}"/>`,
		);
		const [lx, ly] = last;
		body.push(
			`<text x="${X(lx) - 4}" y="${Y(ly) - 6}" text-anchor="end" fill="#777">${esc(r.label)}</text>`,
		);
	}
	if (hline && hline.value >= y0 && hline.value <= y1) {
		body.push(
			`<line x1="${m.left}" x2="${m.left + w}" y1="${Y(hline.value)}" y2="${Y(hline.value)}" stroke="#c00" stroke-dasharray="6 4"/>`,
			`<text x="${m.left + 6}" y="${Y(hline.value) - 5}" fill="#c00">${esc(hline.label)}</text>`,
		);
	}
	for (const s of series) {
		body.push(
			`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points.map(([a, b]) => `${X(a)},${Y(b)}`).join(" ")}"/>`,
		);
		for (const [a, b] of s.points) {
			body.push(
				`<circle cx="${X(a)}" cy="${Y(b)}" r="4" fill="${s.color}"><title>${esc(`${s.name}: ${a} -> ${fmt(b)}`)}</title></circle>`,
				`<text x="${X(a) + 6}" y="${Y(b) + (s.labelBelow ? 15 : -7)}" font-size="10.5" fill="${s.color}">${fmt(b)}</text>`,
			);
		}
	}
	body.push(...axes(m, w, h), ...legend(m.left, height - 14, series));
	return frame(width, height, title, subtitle, body);
}
