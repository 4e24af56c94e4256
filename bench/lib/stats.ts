// Small statistics helpers: percentiles (nearest rank), medians, a least-squares line.

/** Nearest-rank percentile of `values` (p in 0..100); null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? null;
}

export const median = (values: readonly number[]): number | null => percentile(values, 50);

/** `x` rounded to `digits` decimals; null when it is not a finite number. */
export function round(x: number | null | undefined, digits = 1): number | null {
	if (x === null || x === undefined || !Number.isFinite(x)) return null;
	const f = 10 ** digits;
	return Math.round(x * f) / f;
}

/** The non-null values of a list. */
export const present = (values: readonly (number | null)[]): number[] =>
	values.filter((v): v is number => v !== null);

export interface LinearFit {
	a: number;
	b: number;
	r2: number;
}

/** Least squares y = a + b x; r2 the coefficient of determination. */
export function linearFit(points: readonly (readonly [number, number])[]): LinearFit | null {
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
