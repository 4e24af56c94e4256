// The per-statement cost of Durable Object SQLite in this runtime, measured in
// the baseline Worker's Calibrate object.
import type { Baseline } from "../baseline.ts";
import type { SqlCalibration } from "../results.ts";
import { median, round } from "../stats.ts";

/** n statements against 0, median of 5, for point reads and point updates. */
export async function calibrateSql(base: Baseline, n = 5000): Promise<SqlCalibration> {
	const one = async (write: boolean) => {
		const deltas: number[] = [];
		for (let i = 0; i < 5; i++) {
			const zero = (await base.calibrateSql(0, write)).ms;
			const many = (await base.calibrateSql(n, write)).ms;
			deltas.push(((many - zero) * 1000) / n);
		}
		return round(median(deltas), 1);
	};
	return { statements: n, readUs: await one(false), writeUs: await one(true) };
}
