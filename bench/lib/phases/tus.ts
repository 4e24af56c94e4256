// (f) tus PATCH throughput for a 64 MiB file: one PATCH (chunkSize unset) and
// 8 MiB PATCHes on /r/<linkId>/tus/, against the same 64 MiB sent as native
// 8 MiB parts and as bare R2 multipart parts (the baseline), one request at
// a time, the order rotated every round. Every request goes through the
// bench's own HTTP client (bench/lib/http.ts), so only the server differs.
// The creation POST and the native init are not timed; the last tus PATCH
// also completes the multipart upload and queues the finalize (that is what
// a tus client waits for), the native parts are timed without their complete.
import { call, type RawResponse, request } from "../http.ts";
import type { TusResult, TusRun, TusSummary, TusTargetKey } from "../results.ts";
import type { Link } from "../service.ts";
import { median, present, round } from "../stats.ts";
import { type BenchContext, latencySummary, MiB, ms, PART, rotate, withCpu } from "./context.ts";

export const TUS_FILE_BYTES = 64 * MiB;
const FILE = Buffer.concat(Array.from({ length: TUS_FILE_BYTES / PART.byteLength }, () => PART));

export const TUS_TARGETS: readonly { key: TusTargetKey; name: string }[] = [
	{ key: "baseline", name: "baseline (bare R2), 8 MiB parts" },
	{ key: "native", name: "service, native 8 MiB parts" },
	{ key: "tus-one", name: "service, tus: one PATCH (chunkSize unset)" },
	{ key: "tus-8mib", name: "service, tus: 8 MiB PATCHes" },
];

const TUS = { "tus-resumable": "1.0.0" };

/** A tus upload of the 64 MiB file created (not timed): its URL. */
async function createTus(ctx: BenchContext, link: Link, name: string): Promise<string> {
	const meta = `filename ${Buffer.from(name).toString("base64")},filetype ${Buffer.from("application/octet-stream").toString("base64")}`;
	const res = await call("POST", `${link.up}/tus/`, {
		headers: {
			...TUS,
			...ctx.svc.linkHeaders(link),
			"upload-length": String(TUS_FILE_BYTES),
			"upload-metadata": meta,
		},
		expect: [201],
	});
	const location = String(res.headers.location ?? "");
	if (!location) throw new Error("tus creation answered no Location");
	return new URL(location, ctx.svc.baseUrl).toString();
}

/** PATCHes of `chunk` bytes from offset 0; each answer's Upload-Offset must be its end. */
async function sendTus(
	ctx: BenchContext,
	link: Link,
	url: string,
	chunk: number,
): Promise<RawResponse[]> {
	const out: RawResponse[] = [];
	for (let offset = 0; offset < TUS_FILE_BYTES; ) {
		const end = Math.min(TUS_FILE_BYTES, offset + chunk);
		const res = await request("PATCH", url, {
			headers: {
				...TUS,
				...ctx.svc.linkHeaders(link),
				"content-type": "application/offset+octet-stream",
				"upload-offset": String(offset),
			},
			body: FILE.subarray(offset, end),
		});
		const answered = Number(res.headers["upload-offset"]);
		if (res.status !== 204 || answered !== end)
			throw new Error(
				`tus PATCH at ${offset} -> ${res.status} Upload-Offset ${res.headers["upload-offset"]}, expected 204 ${end}: ${res.body.toString("utf8").slice(0, 300)}`,
			);
		if (end === TUS_FILE_BYTES && !res.headers["receive-link-command"])
			throw new Error("the last tus PATCH named no Receive-Link-Command");
		out.push(res);
		offset = end;
	}
	return out;
}

export async function tusPhase(ctx: BenchContext): Promise<TusResult> {
	const { svc, base, servers, rounds, log } = ctx;
	const link = await svc.createLink({ maxFiles: null });
	const runs: TusRun[] = [];
	const runOne = async (key: TusTargetKey, roundNo: number): Promise<TusRun> => {
		const server = key === "baseline" ? servers.baseline : servers.service;
		const name = `tus-r${roundNo}-${key}.bin`;
		let send: () => Promise<RawResponse[]>;
		let cleanup: () => Promise<unknown> = async () => {};
		if (key === "baseline") {
			const id = await base.createMpu(name);
			send = async () => {
				const out: RawResponse[] = [];
				for (let n = 1; n <= 8; n++) out.push(await base.putPart("", name, id, n, PART));
				return out;
			};
			cleanup = () => base.abortMpu(name, id);
		} else if (key === "native") {
			const up = await svc.init(link, name, TUS_FILE_BYTES);
			send = async () => {
				const out: RawResponse[] = [];
				for (let n = 1; n <= 8; n++) out.push(await svc.putPart(link, up, n, PART));
				return out;
			};
			cleanup = () => svc.abort(link, up);
		} else {
			const url = await createTus(ctx, link, name);
			send = () => sendTus(ctx, link, url, key === "tus-one" ? TUS_FILE_BYTES : 8 * MiB);
		}
		const started = performance.now();
		const { value, cpu, clientCpuMs } = await withCpu(server, send);
		const wallMs = performance.now() - started;
		await cleanup().catch((error: Error) =>
			log(`  (abort after the run failed: ${error.message})`),
		);
		const run: TusRun = {
			target: key,
			round: roundNo,
			concurrency: 1,
			requests: value.length,
			wallMs: round(wallMs),
			mibps: round(TUS_FILE_BYTES / MiB / (wallMs / 1000), 2),
			latencies: ms(value.map((r) => r.ms)),
			do: null,
			cpuMsPerMiB: cpu ? round(cpu.total / (TUS_FILE_BYTES / MiB), 2) : null,
			cpu,
			clientCpuMs,
		};
		runs.push(run);
		return run;
	};
	// Warm-up (not recorded): one of each.
	for (const t of TUS_TARGETS) await runOne(t.key, 0);
	runs.length = 0;
	for (let r = 1; r <= rounds; r++) {
		for (const t of rotate(TUS_TARGETS, r)) {
			const run = await runOne(t.key, r);
			log(
				`  tus 64 MiB r${r} ${t.key.padEnd(9)} ${String(run.mibps).padStart(7)} MiB/s  ${run.requests} requests, p50 ${round(median(run.latencies), 0)} ms`,
			);
		}
	}
	// The finalized 64 MiB files (and the rest) go with the link.
	await svc
		.delete(link)
		.catch((error: Error) => log(`  (deleting the link failed: ${error.message})`));
	const summarize = (key: TusTargetKey): TusSummary => {
		const mine = runs.filter((x) => x.target === key);
		return {
			mibps: round(median(present(mine.map((x) => x.mibps))), 2),
			mibpsByRound: mine.map((x) => x.mibps),
			requests: mine[0]?.requests ?? 0,
			...latencySummary(mine.flatMap((x) => x.latencies)),
			cpuMsPerMiB: round(median(present(mine.map((x) => x.cpuMsPerMiB))), 2),
		};
	};
	const summary = Object.fromEntries(TUS_TARGETS.map((t) => [t.key, summarize(t.key)])) as Record<
		TusTargetKey,
		TusSummary
	>;
	const ratio = (a: TusTargetKey, b: TusTargetKey) =>
		round(Number(summary[a].mibps) / Number(summary[b].mibps), 3);
	return {
		fileBytes: TUS_FILE_BYTES,
		runs,
		summary,
		ratios: {
			oneToNative: ratio("tus-one", "native"),
			eightToNative: ratio("tus-8mib", "native"),
			nativeToBaseline: ratio("native", "baseline"),
			oneToBaseline: ratio("tus-one", "baseline"),
			eightToBaseline: ratio("tus-8mib", "baseline"),
		},
	};
}
