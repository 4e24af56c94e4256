// Hand-written SVG charts for BENCHMARKS.md: grouped bars, log-log lines and
// strip plots. No dependencies; every chart is a self-contained string.

const FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\"";
export const COLORS = {
	baseline: "#8c8c8c",
	guard: "#d9a441",
	rpc: "#6aa5d8",
	ours: "#e0662b",
	revoke: "#6f4fb8",
	delete: "#c43d3d",
	finalize: "#2f8f5b",
};

const esc = (s) =>
	String(s).replace(
		/[<>&"]/g,
		(c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] ?? c,
	);

function fmt(v) {
	if (v === null || v === undefined || !Number.isFinite(v)) return "–";
	if (v === 0) return "0";
	if (Math.abs(v) >= 100) return String(Math.round(v));
	if (Math.abs(v) >= 10) return v.toFixed(1);
	return v.toFixed(2);
}

/** An axis label: at most 3 significant digits, no trailing zeros. */
const tick = (v) =>
	v >= 1000 ? Math.round(v).toLocaleString("en-US") : String(Number(v.toPrecision(3)));

/** Round tick steps (1, 2, 5 x 10^k) from 0 to at least `max`. */
function niceTicks(max, count = 5) {
	if (!(max > 0)) return [0, 1];
	const raw = max / count;
	const mag = 10 ** Math.floor(Math.log10(raw));
	const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
	const ticks = [];
	for (let t = 0; t <= max + step * 0.999; t += step) ticks.push(Number(t.toPrecision(12)));
	return ticks;
}

function frame(width, height, title, subtitle, body) {
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

function legend(x, y, series) {
	const out = [];
	let cx = x;
	for (const s of series) {
		out.push(`<rect x="${cx}" y="${y - 10}" width="12" height="12" fill="${s.color}"/>`);
		out.push(`<text x="${cx + 16}" y="${y}">${esc(s.name)}</text>`);
		cx += 34 + s.name.length * 7;
	}
	return out;
}

/**
 * Grouped bars. groups: [{ label, values: { [seriesKey]: number }, notes?: { [seriesKey]: string } }],
 * series: [{ key, name, color }]. Optional `line` draws a horizontal reference: { value, label }.
 */
export function barChart({
	title,
	subtitle,
	yLabel,
	groups,
	series,
	width = 760,
	height = 420,
	line,
}) {
	const m = { top: 64, right: 20, bottom: 70, left: 70 };
	const w = width - m.left - m.right;
	const h = height - m.top - m.bottom;
	const max = Math.max(
		...groups.flatMap((g) => series.map((s) => g.values[s.key] ?? 0)),
		line?.value ?? 0,
	);
	const ticks = niceTicks(max * 1.1);
	const top = ticks[ticks.length - 1] ?? 1;
	const y = (v) => m.top + h - (v / top) * h;
	const body = [];
	for (const t of ticks) {
		body.push(
			`<line x1="${m.left}" x2="${m.left + w}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e5e5"/>`,
			`<text x="${m.left - 6}" y="${y(t) + 4}" text-anchor="end" fill="#444">${tick(t)}</text>`,
		);
	}
	body.push(
		`<text transform="translate(18 ${m.top + h / 2}) rotate(-90)" text-anchor="middle" fill="#333">${esc(yLabel)}</text>`,
	);
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
	body.push(
		`<line x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${m.top + h}" stroke="#333"/>`,
		`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + h}" stroke="#333"/>`,
		...legend(m.left, height - 18, series),
	);
	return frame(width, height, title, subtitle, body);
}

/**
 * Lines on log-log axes. series: [{ name, color, points: [[x, y], ...] }];
 * refs: dashed reference lines [{ label, points }]; hline: { value, label }.
 */
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
}) {
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
	const decades = (lo, hi) => {
		const out = [];
		for (let e = Math.ceil(Math.log10(lo)); e <= Math.floor(Math.log10(hi)); e++) {
			for (const k of [1, 2, 5]) if (k * 10 ** e >= lo && k * 10 ** e <= hi) out.push(k * 10 ** e);
		}
		return out;
	};
	const X = (v) =>
		m.left + ((Math.log10(v) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * w;
	const Y = (v) =>
		m.top + h - ((Math.log10(v) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * h;
	const body = [];
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
		if (pts.length < 2) continue;
		body.push(
			`<polyline fill="none" stroke="#999" stroke-dasharray="4 4" points="${pts.map(([a, b]) => `${X(a)},${Y(b)}`).join(" ")}"/>`,
		);
		const [lx, ly] = pts[pts.length - 1];
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
	body.push(
		`<line x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${m.top + h}" stroke="#333"/>`,
		`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + h}" stroke="#333"/>`,
		...legend(m.left, height - 14, series),
	);
	return frame(width, height, title, subtitle, body);
}

/**
 * Every sample as a dot per category, with its p50 and p99 marked.
 * categories: [{ label, color, samples: [ms], p50, p99 }]; lines: [{ value, label, color }].
 */
export function stripChart({
	title,
	subtitle,
	yLabel,
	categories,
	lines = [],
	width = 760,
	height = 420,
}) {
	const m = { top: 64, right: 20, bottom: 56, left: 70 };
	const w = width - m.left - m.right;
	const h = height - m.top - m.bottom;
	const all = [...categories.flatMap((c) => c.samples), ...lines.map((l) => l.value)];
	const max = Math.max(...all);
	const min = Math.min(...all);
	const span = Math.max(max - min, max * 0.05);
	const step = niceTicks(span * 1.4, 6)[1] ?? 1;
	const lo = Math.max(0, Math.floor((min - span * 0.2) / step) * step);
	const ticks = [];
	for (let t = lo; t <= max + span * 0.2 + step; t += step) ticks.push(Number(t.toPrecision(12)));
	const top = ticks[ticks.length - 1] ?? 1;
	const y = (v) => m.top + h - ((v - lo) / (top - lo)) * h;
	const body = [];
	for (const t of ticks) {
		body.push(
			`<line x1="${m.left}" x2="${m.left + w}" y1="${y(t)}" y2="${y(t)}" stroke="#e5e5e5"/>`,
			`<text x="${m.left - 6}" y="${y(t) + 4}" text-anchor="end" fill="#444">${tick(t)}</text>`,
		);
	}
	body.push(
		`<text transform="translate(18 ${m.top + h / 2}) rotate(-90)" text-anchor="middle" fill="#333">${esc(yLabel)}</text>`,
	);
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
		for (const [v, label, side] of [
			[c.p50, "p50", -1],
			[c.p99, "p99", 1],
		]) {
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
	body.push(
		`<line x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${m.top + h}" stroke="#333"/>`,
		`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + h}" stroke="#333"/>`,
	);
	return frame(width, height, title, subtitle, body);
}
