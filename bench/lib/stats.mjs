// Small statistics helpers: percentiles (nearest rank), medians, a least-squares line.
import { readdirSync, readFileSync } from "node:fs";

/** Nearest-rank percentile of `values` (p in 0..100); null when empty. */
export function percentile(values, p) {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export const median = (values) => percentile(values, 50);

export function round(x, digits = 1) {
	if (x === null || x === undefined || !Number.isFinite(x)) return null;
	const f = 10 ** digits;
	return Math.round(x * f) / f;
}

/** Least squares y = a + b x; r2 the coefficient of determination. */
export function linearFit(points) {
	const n = points.length;
	if (n < 2) return null;
	const mx = points.reduce((s, [x]) => s + x, 0) / n;
	const my = points.reduce((s, [, y]) => s + y, 0) / n;
	let sxy = 0;
	let sxx = 0;
	let syy = 0;
	for (const [x, y] of points) {
		sxy += (x - mx) * (y - my);
		sxx += (x - mx) ** 2;
		syy += (y - my) ** 2;
	}
	const b = sxy / sxx;
	const a = my - b * mx;
	return { a, b, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

/**
 * CPU time (ms) of every process in process group `pgid`, by role: the
 * wrangler node process, workerd serving the Worker ("runtime", the one with
 * an inspector) and workerd's proxy in front of it ("proxy"). Null off Linux.
 */
export function cpuOfGroup(pgid) {
	const out = { wrangler: 0, proxy: 0, runtime: 0 };
	let entries;
	try {
		entries = readdirSync("/proc");
	} catch {
		return null;
	}
	for (const p of entries) {
		if (!/^\d+$/.test(p)) continue;
		try {
			const stat = readFileSync(`/proc/${p}/stat`, "utf8");
			const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
			if (Number(fields[2]) !== pgid) continue;
			const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8");
			const role = cmd.includes("workerd")
				? cmd.includes("inspector-addr")
					? "runtime"
					: "proxy"
				: "wrangler";
			// utime + stime, in clock ticks (100 per second on Linux).
			out[role] += (Number(fields[11]) + Number(fields[12])) * 10;
		} catch {
			// the process ended
		}
	}
	return out;
}

/** CPU ms of a group between two cpuOfGroup() readings. */
export function cpuDelta(before, after) {
	if (!before || !after) return null;
	const d = {};
	for (const k of Object.keys(after)) d[k] = after[k] - (before[k] ?? 0);
	d.total = Object.values(d).reduce((s, v) => s + v, 0);
	return d;
}
