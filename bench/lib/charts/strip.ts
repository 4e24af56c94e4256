// Strip plots: every sample as a dot per category, with its p50 and p99 marked
// (command latency).
import { axes, esc, fmt, frame, niceTicks, yGrid } from "./svg.ts";

export interface StripChart {
	title: string;
	subtitle?: string;
	yLabel: string;
	categories: {
		label: string;
		color: string;
		samples: number[];
		p50: number | null;
		p99: number | null;
	}[];
	lines?: { value: number; label: string; color: string }[];
	width?: number;
	height?: number;
}

export function stripChart({
	title,
	subtitle,
	yLabel,
	categories,
	lines = [],
	width = 760,
	height = 420,
}: StripChart): string {
	const m = { top: 64, right: 20, bottom: 56, left: 70 };
	const w = width - m.left - m.right;
	const h = height - m.top - m.bottom;
	const all = [...categories.flatMap((c) => c.samples), ...lines.map((l) => l.value)];
	const max = Math.max(...all);
	const min = Math.min(...all);
	const span = Math.max(max - min, max * 0.05);
	const step = niceTicks(span * 1.4, 6)[1] ?? 1;
	const lo = Math.max(0, Math.floor((min - span * 0.2) / step) * step);
	const ticks: number[] = [];
	for (let t = lo; t <= max + span * 0.2 + step; t += step) ticks.push(Number(t.toPrecision(12)));
	const top = ticks[ticks.length - 1] ?? 1;
	const y = (v: number) => m.top + h - ((v - lo) / (top - lo)) * h;
	const body = yGrid(m, w, h, ticks, y, yLabel);
	for (const l of lines) {
		body.push(
			`<line x1="${m.left}" x2="${m.left + w}" y1="${y(l.value)}" y2="${y(l.value)}" stroke="${l.color}" stroke-dasharray="6 4"/>`,
			`<text x="${m.left + w / 2}" y="${y(l.value) - 5}" text-anchor="middle" fill="${l.color}">${esc(l.label)}</text>`,
		);
	}
	const cw = w / categories.length;
	categories.forEach((c, ci) => {
		const cx = m.left + ci * cw + cw / 2;
		c.samples.forEach((v, i) => {
			const jitter = ((i * 37) % 21) - 10;
			body.push(
				`<circle cx="${cx + jitter * 3}" cy="${y(v)}" r="3.5" fill="${c.color}" fill-opacity="0.6"/>`,
			);
		});
		const marks: [number | null, string, number][] = [
			[c.p50, "p50", -1],
			[c.p99, "p99", 1],
		];
		for (const [v, label, side] of marks) {
			if (v === null || v === undefined) continue;
			body.push(
				`<line x1="${cx - 50}" x2="${cx + 50}" y1="${y(v)}" y2="${y(v)}" stroke="${c.color}" stroke-width="2"/>`,
				`<text x="${cx + side * 56}" y="${y(v) + 4}" text-anchor="${side < 0 ? "end" : "start"}" fill="${c.color}" font-size="11">${label} ${fmt(v)}</text>`,
			);
		}
		body.push(
			`<text x="${cx}" y="${m.top + h + 20}" text-anchor="middle" fill="#222">${esc(c.label)}</text>`,
		);
	});
	body.push(...axes(m, w, h));
	return frame(width, height, title, subtitle, body);
}
