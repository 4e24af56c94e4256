// The measurements of `npm run bench`. Every phase returns plain data (raw
// samples plus summaries) for results.json; run.mjs renders the report.
import { randomBytes } from "node:crypto";
import { sleep } from "../../scripts/lib/dev-server.ts";
import { closedLoop, doTiming, request } from "./http.mjs";
import { cpuDelta, cpuOfGroup, linearFit, median, percentile, round } from "./stats.mjs";

export const MiB = 1024 * 1024;
const PART = randomBytes(8 * MiB);
const FINAL = new Set(["succeeded", "rejected", "cancelled"]);

/** ms values rounded for results.json. */
const ms = (values) => values.map((v) => round(v, 1));

function latencySummary(latencies) {
	return {
		n: latencies.length,
		p50: round(percentile(latencies, 50)),
		p90: round(percentile(latencies, 90)),
		p99: round(percentile(latencies, 99)),
		max: round(Math.max(...latencies)),
	};
}

/** Rotates `list` by `k`: alternates which system goes first from round to round. */
const rotate = (list, k) => list.map((_, i) => list[(i + k) % list.length]);

function doStats(results) {
	const t = results.map((r) => doTiming(r.headers)).filter(Boolean);
	if (t.length === 0) return null;
	const calls = t.map((x) => x.calls);
	return {
		samples: t.length,
		callsMin: Math.min(...calls),
		callsMax: Math.max(...calls),
		msP50: round(median(t.map((x) => x.ms))),
		msP99: round(
			percentile(
				t.map((x) => x.ms),
				99,
			),
		),
	};
}

/** Runs `fn` with the CPU time of the server's process group (and this client's) measured. */
async function withCpu(server, fn) {
	const before = cpuOfGroup(server.pid);
	const client = process.cpuUsage();
	const value = await fn();
	const after = cpuOfGroup(server.pid);
	const c = process.cpuUsage(client);
	return { value, cpu: cpuDelta(before, after), clientCpuMs: round((c.user + c.system) / 1000, 0) };
}

// --- (a) 8 MiB parts -------------------------------------------------------------

export const PART_TARGETS = [
	{ key: "baseline", name: "baseline (bare R2)", prefix: "" },
	{ key: "guard", name: "baseline + service length guard", prefix: "/guard" },
	{ key: "ours", name: "service (admit, R2, record)" },
];

export async function partsPhase(ctx) {
	const { svc, base, servers, rounds, concurrencies, partsPer, log } = ctx;
	const link = await svc.createLink({ maxFiles: null });
	const runs = [];
	const runOne = async (target, c, n, roundNo) => {
		const server = target.key === "ours" ? servers.service : servers.baseline;
		const key = `parts-r${roundNo}-c${c}-${target.key}`;
		let tasks;
		let cleanup;
		if (target.key === "ours") {
			const up = await svc.init(link, `${key}.bin`, n * 8 * MiB);
			tasks = Array.from({ length: n }, (_, i) => () => svc.putPart(link, up, i + 1, PART));
			cleanup = () => svc.abort(link, up);
		} else {
			const uploadId = await base.createMpu(key);
			tasks = Array.from(
				{ length: n },
				(_, i) => () => base.putPart(target.prefix, key, uploadId, i + 1, PART),
			);
			cleanup = () => base.abortMpu(key, uploadId);
		}
		const { value, cpu, clientCpuMs } = await withCpu(server, () => closedLoop(c, tasks));
		// Aborting frees the parts' disk space; a failure here does not spoil the measurement.
		await cleanup().catch((error) => log(`  (abort after the run failed: ${error.message})`));
		const latencies = value.results.map((r) => r.ms);
		const run = {
			target: target.key,
			round: roundNo,
			concurrency: c,
			parts: n,
			wallMs: round(value.wallMs),
			mibps: round((n * 8) / (value.wallMs / 1000), 2),
			latencies: ms(latencies),
			do: target.key === "ours" ? doStats(value.results) : null,
			cpuMsPerPart: cpu ? round(cpu.total / n) : null,
			cpu,
			clientCpuMs,
		};
		runs.push(run);
		return run;
	};
	// Warm-up (not recorded): JIT, connections, R2 directories.
	for (const t of PART_TARGETS) {
		if (t.key === "ours") {
			const up = await svc.init(link, "warmup.bin", 2 * 8 * MiB);
			await closedLoop(
				2,
				[1, 2].map((n) => () => svc.putPart(link, up, n, PART)),
			);
			await svc.abort(link, up);
		} else {
			const id = await base.createMpu(`warmup-${t.key}`);
			await closedLoop(
				2,
				[1, 2].map((n) => () => base.putPart(t.prefix, `warmup-${t.key}`, id, n, PART)),
			);
			await base.abortMpu(`warmup-${t.key}`, id);
		}
	}
	for (let r = 1; r <= rounds; r++) {
		for (const c of concurrencies) {
			for (const t of rotate(PART_TARGETS, r + c)) {
				const run = await runOne(t, c, partsPer[c], r);
				log(
					`  parts r${r} c=${String(c).padStart(2)} ${t.key.padEnd(8)} ${String(run.mibps).padStart(7)} MiB/s  p50 ${round(median(run.latencies), 0)} ms`,
				);
			}
		}
	}
	const summary = [];
	for (const c of concurrencies) {
		const row = { concurrency: c };
		for (const t of PART_TARGETS) {
			const mine = runs.filter((x) => x.target === t.key && x.concurrency === c);
			const lat = mine.flatMap((x) => x.latencies);
			row[t.key] = {
				mibps: round(median(mine.map((x) => x.mibps)), 2),
				mibpsByRound: mine.map((x) => x.mibps),
				...latencySummary(lat),
				cpuMsPerPart: round(median(mine.map((x) => x.cpuMsPerPart).filter((v) => v !== null))),
				do: t.key === "ours" ? mergeDo(mine.map((x) => x.do)) : undefined,
			};
		}
		row.ratio = round(row.ours.mibps / row.baseline.mibps, 3);
		row.guardRatio = round(row.guard.mibps / row.baseline.mibps, 3);
		row.pairedRatios = runs
			.filter((x) => x.target === "ours" && x.concurrency === c)
			.map((o) => {
				const b = runs.find(
					(x) => x.target === "baseline" && x.concurrency === c && x.round === o.round,
				);
				return b ? round(o.mibps / b.mibps, 3) : null;
			});
		summary.push(row);
	}
	return { partBytes: 8 * MiB, partsPer, runs, summary };
}

function mergeDo(list) {
	const xs = list.filter(Boolean);
	if (xs.length === 0) return null;
	return {
		samples: xs.reduce((s, x) => s + x.samples, 0),
		callsMin: Math.min(...xs.map((x) => x.callsMin)),
		callsMax: Math.max(...xs.map((x) => x.callsMax)),
		msP50: round(median(xs.map((x) => x.msP50))),
		msP99: round(Math.max(...xs.map((x) => x.msP99))),
	};
}

// --- (b) tiny single uploads ---------------------------------------------------

export const TINY_TARGETS = [
	{ key: "baseline", name: "baseline (bare R2)", prefix: "" },
	{ key: "guard", name: "+ length guard", prefix: "/guard" },
	{ key: "rpc", name: "+ guard + 2 empty DO RPCs", prefix: "/guard/rpc" },
	{ key: "ours", name: "service (admit, R2, record)" },
];

export async function tinyPhase(ctx) {
	const { svc, base, servers, rounds, tinyCount, tinyBytes, log } = ctx;
	const body = randomBytes(tinyBytes);
	const link = await svc.createLink({ maxFiles: null });
	const runs = [];
	const inits = [];
	let seq = 0;
	const runOne = async (target, c, n, roundNo, record = true) => {
		const server = target.key === "ours" ? servers.service : servers.baseline;
		let tasks;
		if (target.key === "ours") {
			// The inits are not part of the PUT measurement; they are timed on their own.
			const made = await closedLoop(
				c,
				Array.from({ length: n }, () => {
					const i = seq++;
					return () => svc.init(link, `tiny-${i}.txt`, tinyBytes);
				}),
			);
			if (record) {
				inits.push({
					round: roundNo,
					concurrency: c,
					n,
					wallMs: round(made.wallMs),
					rps: round(n / (made.wallMs / 1000)),
					latencies: ms(made.results.map((x) => x.res.ms)),
					do: doStats(made.results.map((x) => x.res)),
				});
			}
			tasks = made.results.map((up) => () => svc.putSingle(link, up, body));
		} else {
			tasks = Array.from({ length: n }, () => {
				const i = seq++;
				return () => base.putSingle(target.prefix, `tiny-${target.key}-${i}`, body);
			});
		}
		const { value, cpu, clientCpuMs } = await withCpu(server, () => closedLoop(c, tasks));
		const latencies = value.results.map((r) => r.ms);
		const run = {
			target: target.key,
			round: roundNo,
			concurrency: c,
			n,
			wallMs: round(value.wallMs),
			rps: round(n / (value.wallMs / 1000)),
			latencies: ms(latencies),
			do: target.key === "ours" ? doStats(value.results) : null,
			cpuMsPerRequest: cpu ? round(cpu.total / n, 2) : null,
			cpu,
			clientCpuMs,
		};
		if (record) runs.push(run);
		return run;
	};
	for (const t of TINY_TARGETS) await runOne(t, 16, 50, 0, false);
	for (let r = 1; r <= rounds; r++) {
		for (const t of rotate(TINY_TARGETS, r)) {
			const run = await runOne(t, 16, tinyCount, r);
			log(
				`  tiny  r${r} c=16 ${t.key.padEnd(8)} ${String(run.rps).padStart(7)} req/s  p50 ${round(median(run.latencies), 1)} ms`,
			);
		}
	}
	// Latency at rest: one request at a time.
	for (const t of [TINY_TARGETS[0], TINY_TARGETS[3]]) await runOne(t, 1, 40, rounds + 1);
	const summary = {};
	for (const c of [16, 1]) {
		const row = {};
		for (const t of TINY_TARGETS) {
			const mine = runs.filter((x) => x.target === t.key && x.concurrency === c);
			if (mine.length === 0) continue;
			row[t.key] = {
				rps: round(median(mine.map((x) => x.rps))),
				rpsByRound: mine.map((x) => x.rps),
				...latencySummary(mine.flatMap((x) => x.latencies)),
				cpuMsPerRequest: round(
					median(mine.map((x) => x.cpuMsPerRequest).filter((v) => v !== null)),
					2,
				),
				do: t.key === "ours" ? mergeDo(mine.map((x) => x.do)) : undefined,
			};
		}
		if (row.ours && row.baseline) row.ratio = round(row.ours.rps / row.baseline.rps, 3);
		summary[`c${c}`] = row;
	}
	const initRuns = inits.filter((x) => x.concurrency === 16);
	summary.init = {
		rps: round(median(initRuns.map((x) => x.rps))),
		...latencySummary(initRuns.flatMap((x) => x.latencies)),
		do: mergeDo(initRuns.map((x) => x.do)),
	};
	return { bytes: tinyBytes, count: tinyCount, runs, inits, summary };
}

// --- (c) command latency -------------------------------------------------------

/**
 * Polls a command from its 202 until a final status. Returns the time (ms
 * after the 202 arrived) at which the final status was seen, and every poll.
 */
async function pollToFinal(svc, accepted, { intervalMs, timeoutMs = 300_000 }) {
	const t0 = performance.now();
	const polls = [];
	for (;;) {
		const sentAt = performance.now() - t0;
		const res = await svc.command(accepted);
		const c = res.json.command;
		polls.push({ sentAt: round(sentAt), ms: round(res.ms), status: c.status });
		if (FINAL.has(c.status)) {
			return { finalMs: performance.now() - t0, command: c, polls };
		}
		if (performance.now() - t0 > timeoutMs) throw new Error(`command ${c.id} not final in time`);
		await sleep(intervalMs);
	}
}

const serverMs = (c) => Date.parse(c.finishedAt) - Date.parse(c.createdAt);

export async function commandsPhase(ctx) {
	const { svc, samples, pollMs, log } = ctx;
	const finalizeLink = await svc.createLink({ maxFiles: null });
	const out = { revoke: [], finalize: [] };
	for (let i = 0; i < samples; i++) {
		// Revoke: a fresh link each time (revoke is terminal).
		const link = await svc.createLink({ maxFiles: null });
		const r = await svc.revoke(link);
		const rp = await pollToFinal(svc, r, { intervalMs: pollMs });
		const firstChange = rp.polls.find((p) => p.status !== "accepted");
		out.revoke.push({
			ms: round(rp.finalMs),
			serverMs: serverMs(rp.command),
			status: rp.command.status,
			firstChangeSentAt: firstChange?.sentAt ?? null,
			polls: rp.polls.length,
		});
		// Finalize: a completed single upload on a shared link.
		const up = await svc.init(finalizeLink, `fin-${i}.txt`, 16);
		await svc.putSingle(finalizeLink, up, Buffer.from("0123456789abcdef"));
		const f = await svc.finalize(finalizeLink, up);
		const fp = await pollToFinal(svc, f, { intervalMs: pollMs });
		out.finalize.push({
			ms: round(fp.finalMs),
			serverMs: serverMs(fp.command),
			status: fp.command.status,
			result: fp.command.result,
			polls: fp.polls.length,
		});
		log(
			`  commands #${i + 1}: revoke ${round(rp.finalMs, 0)} ms (${rp.command.status}), finalize ${round(fp.finalMs, 0)} ms (${fp.command.status})`,
		);
		// Spread the samples over the queue's batch window.
		await sleep(137 * ((i % 5) + 1));
	}
	// A burst of max_batch_size (10) revokes at once fills a batch: no waiting for the timeout.
	const burstLinks = await Promise.all(
		Array.from({ length: 10 }, () => svc.createLink({ maxFiles: null })),
	);
	const burst = await Promise.all(
		burstLinks.map(async (link) => {
			const r = await svc.revoke(link);
			const p = await pollToFinal(svc, r, { intervalMs: pollMs });
			return { ms: round(p.finalMs), serverMs: serverMs(p.command), status: p.command.status };
		}),
	);
	log(`  burst of 10 revokes: p50 ${round(median(burst.map((x) => x.ms)), 0)} ms`);
	const summarize = (list) => ({
		...latencySummary(list.map((x) => x.ms)),
		serverP50: round(median(list.map((x) => x.serverMs))),
		serverP99: round(
			percentile(
				list.map((x) => x.serverMs),
				99,
			),
		),
		allSucceeded: list.every((x) => x.status === "succeeded"),
	});
	return {
		pollMs,
		samples: { ...out, burst },
		summary: {
			revoke: summarize(out.revoke),
			finalize: summarize(out.finalize),
			burst: summarize(burst),
		},
	};
}

// --- (d) cleanup ---------------------------------------------------------------

/** Creates `n` uploads on each link (every `putEvery`-th one completed with a PUT). */
async function populate(svc, links, n, putEvery, body) {
	const tasks = [];
	for (const link of links) {
		for (let i = 0; i < n; i++) {
			tasks.push(async () => {
				const up = await svc.init(link, `held-${i}.txt`, body.length);
				if (i % putEvery === 0) await svc.putSingle(link, up, body);
			});
		}
	}
	return closedLoop(32, tasks);
}

export async function cleanupPhase(ctx) {
	const { svc, sizes, putEvery, pollMs, log, fixedMs } = ctx;
	const body = randomBytes(64);
	const probeLink = await svc.createLink({ maxFiles: null });
	const results = [];
	for (const n of sizes) {
		const revokeLink = await svc.createLink({ maxFiles: null });
		const deleteLink = await svc.createLink({ maxFiles: null });
		const pop = await populate(svc, [revokeLink, deleteLink], n, putEvery, body);
		log(`  cleanup: ${n} uploads on each of 2 links populated in ${round(pop.wallMs / 1000, 1)} s`);
		for (const [kind, link] of [
			["revoke", revokeLink],
			["delete", deleteLink],
		]) {
			const before = await svc.getLink(link);
			// Another link's public info, every 100 ms, while the cleanup runs: is the runtime still serving?
			let probing = true;
			const probes = [];
			const prober = (async () => {
				while (probing) {
					const t = performance.now();
					const res = await request("GET", probeLink.up, {
						headers: svc.linkHeaders(probeLink),
					});
					probes.push({ at: t, ms: res.ms });
					await sleep(100);
				}
			})();
			const accepted = kind === "revoke" ? await svc.revoke(link) : await svc.delete(link);
			const acceptedAt = performance.now();
			const p = await pollToFinal(svc, accepted, { intervalMs: pollMs });
			probing = false;
			await prober;
			const stalled = p.polls.find((x) => x.ms > 250);
			const during = probes.filter((x) => x.at >= acceptedAt);
			const row = {
				kind,
				uploads: n,
				completed: Math.ceil(n / putEvery),
				open: n - Math.ceil(n / putEvery),
				counters: before.json.link.counters,
				ms: round(p.finalMs),
				serverMs: serverMs(p.command),
				status: p.command.status,
				steps: p.command.steps,
				polls: p.polls.length,
				// The first poll the runtime did not answer promptly: roughly when the drain began.
				stalledFromMs: stalled ? stalled.sentAt : null,
				longestPollMs: round(Math.max(...p.polls.map((x) => x.ms))),
				probe: {
					n: during.length,
					p50: round(median(during.map((x) => x.ms))),
					max: round(Math.max(0, ...during.map((x) => x.ms))),
				},
				populateS: round(pop.wallMs / 1000, 1),
			};
			results.push(row);
			log(
				`  cleanup: ${kind.padEnd(6)} ${String(n).padStart(6)} uploads: ${round(p.finalMs / 1000, 2)} s (${p.command.status}); other link's request stalled up to ${round(row.probe.max / 1000, 2)} s`,
			);
		}
	}
	const fits = {};
	for (const kind of ["revoke", "delete"]) {
		const pts = results.filter((r) => r.kind === kind).map((r) => [r.uploads, r.ms]);
		const fit = linearFit(pts);
		const byN = new Map(pts);
		// Growth over the top decade measured: the largest size against the largest one at most a tenth of it.
		const big = Math.max(...sizes);
		const prev = Math.max(0, ...sizes.filter((s) => s <= big / 10));
		const fixed = fixedMs ?? fit?.a ?? 0;
		fits[kind] = fit
			? {
					interceptMs: round(fit.a),
					msPerUpload: round(fit.b, 3),
					r2: round(fit.r2, 4),
					decade: [prev, big],
					ratioLastDecade:
						byN.has(big) && byN.has(prev) ? round(byN.get(big) / byN.get(prev), 2) : null,
					// The fixed part (queue batch wait, empty drain) is the zero-upload revoke of (c) when
					// measured, else the fitted intercept.
					fixedMs: round(fixed),
					exponentLastDecade:
						byN.has(big) && byN.has(prev) && fixed < byN.get(prev)
							? round(
									Math.log10((byN.get(big) - fixed) / (byN.get(prev) - fixed)) /
										Math.log10(big / prev),
									3,
								)
							: null,
				}
			: null;
	}
	return { putEvery, sizes, results, fits };
}

// --- (e) DO round trips ---------------------------------------------------------

export async function doCallsPhase(ctx) {
	const { svc } = ctx;
	const link = await svc.createLink({ maxFiles: null });
	const rows = [];
	const note = (op, res) => rows.push({ op, status: res.status, ...doTiming(res.headers) });
	const single = await svc.init(link, "single.txt", 10);
	note("init (single)", single.res);
	note("PUT single upload", await svc.putSingle(link, single, Buffer.from("0123456789")));
	note("finalize (202)", await svc.finalize(link, single));
	const multi = await svc.init(link, "multi.bin", 8 * MiB + 1);
	note("init (multipart)", multi.res);
	note("PUT part 1 (8 MiB)", await svc.putPart(link, multi, 1, PART));
	note("PUT part 2 (1 byte)", await svc.putPart(link, multi, 2, Buffer.from("x")));
	note("complete", await svc.complete(link, multi));
	const fin = await svc.finalize(link, multi);
	note("finalize (202)", fin);
	note("command status poll", await svc.command(fin));
	note("GET /r/:linkId", await svc.publicInfo(link));
	note("GET /api/links/:id", await svc.getLink(link));
	note("revoke (202)", await svc.revoke(link));
	return { rows };
}

// --- calibration ----------------------------------------------------------------

/** Per-statement cost of DO SQLite in this runtime: n statements against 0, median of 5. */
export async function sqlCalibration(base, n = 5000) {
	const one = async (write) => {
		const deltas = [];
		for (let i = 0; i < 5; i++) {
			const zero = (await base.calibrateSql(0, write)).ms;
			const many = (await base.calibrateSql(n, write)).ms;
			deltas.push(((many - zero) * 1000) / n);
		}
		return round(median(deltas), 1);
	};
	return { statements: n, readUs: await one(false), writeUs: await one(true) };
}
