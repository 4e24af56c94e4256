// The targets of the benchmark, judged against a run's results.
import type { Results, Verdict } from "../results.ts";
import { f, TARGET } from "./markdown.ts";

export function targetVerdicts(r: Results): Verdict[] {
	const out: Verdict[] = [];
	for (const row of r.parts?.summary ?? []) {
		out.push({
			id: `a-c${row.concurrency}`,
			target: `(a) 8 MiB parts at concurrency ${row.concurrency}: ≥ ${TARGET.partsRatio} of baseline MiB/s`,
			measured: `${f(row.ratio, 2)} (${f(row.ours.mibps)} / ${f(row.baseline.mibps)} MiB/s)`,
			ok: Number(row.ratio) >= TARGET.partsRatio,
		});
	}
	const c16 = r.tiny?.summary.c16;
	if (c16?.ratio !== undefined) {
		out.push({
			id: "b",
			target: `(b) tiny uploads at concurrency 16: ≥ ${TARGET.tinyRatio} of baseline requests/s`,
			measured: `${f(c16.ratio, 2)} (${f(c16.ours?.rps, 0)} / ${f(c16.baseline?.rps, 0)} req/s)`,
			ok: Number(c16.ratio) >= TARGET.tinyRatio,
		});
	}
	if (r.commands) {
		const limit = (r.meta.maxBatchTimeoutS ?? 1) * 1000 + TARGET.commandSlackMs;
		for (const kind of ["revoke", "finalize"] as const) {
			const p50 = r.commands.summary[kind].p50;
			out.push({
				id: `c-${kind}`,
				target: `(c) ${kind} p50 ≤ max_batch_timeout + ${TARGET.commandSlackMs} ms = ${limit} ms`,
				measured: `${f(p50, 0)} ms`,
				ok: Number(p50) <= limit,
			});
		}
	}
	if (r.cleanup) {
		for (const kind of ["revoke", "delete"] as const) {
			const fit = r.cleanup.fits[kind];
			if (!fit) continue;
			const e = fit.exponentLastDecade;
			out.push({
				id: `d-linear-${kind}`,
				target: `(d) ${kind} cleanup linear in uploads (exponent over the last decade ≈ 1, R² of a line ≥ 0.98)`,
				measured: `exponent ${f(e, 2)}, R² ${f(fit.r2, 4)}, ${f(fit.msPerUpload, 2)} ms/upload`,
				ok: e !== null && e <= 1.15 && Number(fit.r2) >= 0.98,
			});
		}
		const d10k = r.cleanup.results.find((x) => x.kind === "delete" && x.uploads === 10000);
		out.push({
			id: "d-10k",
			target: `(d) 10,000 uploads deleted within ${TARGET.delete10kS} s`,
			measured: d10k ? `${f(Number(d10k.ms) / 1000, 1)} s` : "not run",
			ok: d10k ? Number(d10k.ms) / 1000 <= TARGET.delete10kS && d10k.status === "succeeded" : null,
		});
	}
	if (r.tus) {
		const s = r.tus.summary;
		for (const [key, ratio, what] of [
			["tus-one", r.tus.ratios.oneToNative, "one PATCH"],
			["tus-8mib", r.tus.ratios.eightToNative, "8 MiB PATCHes"],
		] as const) {
			out.push({
				id: `f-${key}`,
				target: `(f) tus ${what} of a 64 MiB file: ≥ ${TARGET.tusRatio} of native 8 MiB parts MiB/s`,
				measured: `${f(ratio, 2)} (${f(s[key].mibps)} / ${f(s.native.mibps)} MiB/s; bare R2 ${f(s.baseline.mibps)})`,
				ok: Number(ratio) >= TARGET.tusRatio,
			});
		}
	}
	const small = r.small?.summary.find((x) => x.bytes === 16 * 1024 && x.concurrency === 16);
	if (small) {
		out.push({
			id: "g",
			target: `(g) one-request 16 KiB uploads at concurrency 16: ≥ ${TARGET.smallRatio}× the uploads/s of init + PUT + finalize`,
			measured: `${f(small.oneToThree, 2)} (${f(small.one.ups, 1)} / ${f(small.three.ups, 1)} uploads/s; bare R2 ${f(small.bare.ups, 1)})`,
			ok: small.oneToThree === null ? null : small.oneToThree >= TARGET.smallRatio,
		});
		const oneDo = r.small?.summary.map((x) => x.one.do).filter((x) => x != null) ?? [];
		if (oneDo.length > 0) {
			const min = Math.min(...oneDo.map((x) => x.callsMin));
			const max = Math.max(...oneDo.map((x) => x.callsMax));
			out.push({
				id: "g-do",
				target: "(g) exactly 2 DO round trips per one-request upload",
				measured: min === max ? `${min} in every one-request upload` : `${min}..${max}`,
				ok: min === 2 && max === 2,
			});
		}
	}
	const partDo = (r.parts?.summary ?? []).map((x) => x.ours.do).filter((x) => x != null);
	if (partDo.length > 0) {
		const min = Math.min(...partDo.map((x) => x.callsMin));
		const max = Math.max(...partDo.map((x) => x.callsMax));
		const n = partDo.reduce((s, x) => s + x.samples, 0);
		out.push({
			id: "e",
			target: "(e) exactly 2 DO round trips per part upload",
			measured: min === max ? `${min} in all ${n} part PUTs` : `${min}..${max} over ${n} part PUTs`,
			ok: min === 2 && max === 2,
		});
	}
	return out;
}
