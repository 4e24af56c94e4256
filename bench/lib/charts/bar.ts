// Grouped bar charts (throughput, latency percentiles, tiny uploads).
import { axes, esc, fmt, frame, legend, niceTicks, yGrid } from "./svg.ts";

export interface BarSeries {
	key: string;
	name: string;
	color: string;
}

export interface BarGroup {
	label: string;
	values: Record<string, number | null | undefined>;
	notes?: Record<string, string>;
}

export interface BarChart {
	title: string;
	subtitle?: string;
	yLabel: string;
	groups: BarGroup[];
	series: BarSeries[];
	width?: number;
	height?: number;
	/** A horizontal reference line. */
	line?: { value: number; label: string };
}

export function barChart({
	title,
	subtitle,
	yLabel,
	groups,
	series,
	width = 760,
	height = 420,
	line,
}: BarChart): string {
	const m = { top: 64, right: 20, bottom: 70, left: 70 };
	const w = width - m.left - m.right;
	const h = height - m.top - m.bottom;
	const max = Math.max(
		...groups.flatMap((g) => series.map((s) => g.values[s.key] ?? 0)),
		line?.value ?? 0,
	);
	const ticks = niceTicks(max * 1.1);
	const top = ticks[ticks.length - 1] ?? 1;
	const y = (v: number) => m.top + h - (v / top) * h;
	const body = yGrid(m, w, h, ticks, y, yLabel);
	const gw = w / groups.length;
	const bw = Math.min(46, (gw * 0.8) / series.length);
	groups.forEach((g, gi) => {
		const x0 = m.left + gi * gw + (gw - bw * series.length) / 2;
		series.forEach((s, si) => {
			const v = g.values[s.key];
			if (v === null || v === undefined) return;
			const x = x0 + si * bw;
			body.push(
				`<rect x="${x + 2}" y="${y(v)}" width="${bw - 4}" height="${m.top + h - y(v)}" fill="${s.color}"><title>${esc(`${s.name}: ${fmt(v)}`)}</title></rect>`,
				`<text x="${x + bw / 2}" y="${y(v) - 4}" text-anchor="middle" font-size="10.5">${fmt(v)}</text>`,
			);
			const note = g.notes?.[s.key];
			if (note) {
				body.push(
					`<text x="${x + bw / 2}" y="${y(v) - 17}" text-anchor="middle" font-size="10.5" font-weight="600" fill="${s.color}">${esc(note)}</text>`,
				);
			}
		});
		body.push(
			`<text x="${m.left + gi * gw + gw / 2}" y="${m.top + h + 18}" text-anchor="middle" fill="#222">${esc(g.label)}</text>`,
		);
	});
	if (line) {
		body.push(
			`<line x1="${m.left}" x2="${m.left + w}" y1="${y(line.value)}" y2="${y(line.value)}" stroke="#c00" stroke-dasharray="6 4"/>`,
			`<text x="${m.left + w - 4}" y="${y(line.value) - 5}" text-anchor="end" fill="#c00">${esc(line.label)}</text>`,
		);
	}
	body.push(...axes(m, w, h), ...legend(m.left, height - 18, series));
	return frame(width, height, title, subtitle, body);
}
