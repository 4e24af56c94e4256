#!/usr/bin/env node
// `npm run bench`: the service against a bare R2 Worker, on loopback.
//
// Starts two `wrangler dev` processes (same wrangler, same workerd build): the
// service (wrangler.toml, port 8795) and the baseline (bench/baseline, port
// 8797). Drives both with one purpose-built HTTP client (bench/lib/http.mjs),
// alternating which goes first, several rounds, and reports medians:
//   (a) 8 MiB part uploads at concurrency 1, 4, 16: MiB/s, p50/p99, ratio
//   (b) tiny single uploads: requests/s, p50/p99, ratio
//   (c) revoke and finalize latency, 202 to final status, next to max_batch_timeout
//   (d) revoke and delete cleanup time for links holding 10 .. 10,000 uploads
//   (e) Durable Object round trips per request (Server-Timing)
// Writes bench/results/results.json, SVG charts and report.md, and refreshes
// the generated section of BENCHMARKS.md. `npm run bench -- --help` for options.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureDevVars, killAll, startWorker } from "../scripts/lib/dev-server.ts";
import { closeAgents, request } from "./lib/http.mjs";
import {
	cleanupPhase,
	commandsPhase,
	doCallsPhase,
	MiB,
	partsPhase,
	sqlCalibration,
	tinyPhase,
} from "./lib/phases.mjs";
import { connectProfiler } from "./lib/profile.mjs";
import { renderCharts, renderReport, targetVerdicts } from "./lib/report.mjs";
import { Baseline, Service } from "./lib/targets.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..");
const PORTS = { service: 8795, serviceInspector: 8796, baseline: 8797, baselineInspector: 8798 };

const HELP = `usage: npm run bench -- [options]

  --rounds N          rounds of the alternating throughput runs (default 5)
  --quick             small settings for development (1 round, cleanup up to 300 uploads);
                      writes to .wrangler/bench/quick/ and leaves BENCHMARKS.md alone
  --only LIST         phases to run, of a,b,c,d,e (default all)
  --sizes LIST        cleanup link sizes (default 10,100,1000,10000)
  --samples N         command latency samples per kind (default 12)
  --profile           also take CPU profiles of the service isolate (after the measurements)
  --wait-quiet        wait (up to 15 min) for the 1-minute load average to drop below 1.0
  --service-root DIR  benchmark the service of another checkout (to try a candidate fix)
  --out DIR           where results go (default bench/results)
  --keep-state        keep the local state under .wrangler/bench/ afterwards
  --render-only       measure nothing: re-render charts, report.md and BENCHMARKS.md from
                      the results.json in --out
Ports 8795-8798 on 127.0.0.1 must be free.`;

function options() {
	const { values } = parseArgs({
		options: {
			help: { type: "boolean", short: "h" },
			rounds: { type: "string" },
			quick: { type: "boolean" },
			only: { type: "string" },
			sizes: { type: "string" },
			samples: { type: "string" },
			profile: { type: "boolean" },
			"wait-quiet": { type: "boolean" },
			"service-root": { type: "string" },
			out: { type: "string" },
			"keep-state": { type: "boolean" },
			"render-only": { type: "boolean" },
		},
		strict: true,
	});
	if (values.help) {
		console.log(HELP);
		process.exit(0);
	}
	const quick = Boolean(values.quick);
	const list = (s) =>
		s
			.split(",")
			.map((x) => x.trim())
			.filter(Boolean);
	const o = {
		quick,
		rounds: Number(values.rounds ?? (quick ? 1 : 5)),
		only: new Set(list(values.only ?? "a,b,c,d,e")),
		sizes: list(values.sizes ?? (quick ? "10,100,300" : "10,100,1000,10000")).map(Number),
		samples: Number(values.samples ?? (quick ? 4 : 12)),
		profile: Boolean(values.profile),
		waitQuiet: Boolean(values["wait-quiet"]),
		serviceRoot: resolve(values["service-root"] ?? ROOT),
		out: resolve(
			values.out ?? (quick ? join(ROOT, ".wrangler", "bench", "quick") : join(HERE, "results")),
		),
		keepState: Boolean(values["keep-state"]),
		renderOnly: Boolean(values["render-only"]),
		concurrencies: [1, 4, 16],
		partsPer: { 1: 4, 4: 8, 16: 16 },
		tinyCount: quick ? 100 : 200,
		tinyBytes: 1024,
		putEvery: 10,
		pollMs: 10,
	};
	for (const [k, v] of Object.entries({ rounds: o.rounds, samples: o.samples })) {
		if (!Number.isInteger(v) || v < 1) throw new Error(`--${k}: not a positive integer`);
	}
	return o;
}

const started = Date.now();
const log = (text) =>
	console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${text}`);

function sh(cmd, args) {
	try {
		return execFileSync(cmd, args, { encoding: "utf8" }).trim();
	} catch {
		return null;
	}
}

function packageVersion(name) {
	try {
		return JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8"))
			.version;
	} catch {
		return null;
	}
}

/** The commit checked out (read from .git, no git command). */
function commitOf(root) {
	try {
		const head = readFileSync(join(root, ".git", "HEAD"), "utf8").trim();
		if (!head.startsWith("ref: ")) return head;
		const ref = head.slice(5);
		const loose = join(root, ".git", ref);
		if (existsSync(loose)) return readFileSync(loose, "utf8").trim();
		const packed = readFileSync(join(root, ".git", "packed-refs"), "utf8");
		return (
			packed
				.split("\n")
				.find((l) => l.endsWith(` ${ref}`))
				?.split(" ")[0] ?? null
		);
	} catch {
		return null;
	}
}

/** SHA-256 over src/ (paths and contents): which code was measured, committed or not. */
function srcDigest(root) {
	const hash = createHash("sha256");
	const walk = (dir) => {
		for (const name of readdirSync(dir).sort()) {
			const path = join(dir, name);
			if (statSync(path).isDirectory()) walk(path);
			else hash.update(`${path.slice(root.length)}\0`).update(readFileSync(path));
		}
	};
	try {
		walk(join(root, "src"));
		return hash.digest("hex").slice(0, 16);
	} catch {
		return null;
	}
}

const loadavg = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

function machine() {
	const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "";
	return {
		nproc: Number(sh("nproc", [])) || os.availableParallelism(),
		cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? null,
		freeG: sh("free", ["-g"]),
		uname: sh("uname", ["-a"]),
		node: process.version,
		wrangler: packageVersion("wrangler"),
		workerd: packageVersion("workerd"),
		miniflare: packageVersion("miniflare"),
	};
}

/** The link-commands consumer's max_batch_timeout (seconds) from the service's wrangler.toml. */
function maxBatchTimeout(root) {
	const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
	for (const block of toml.split("[[queues.consumers]]").slice(1)) {
		if (/queue\s*=\s*"link-commands"/.test(block)) {
			const m = /max_batch_timeout\s*=\s*([\d.]+)/.exec(block);
			if (m) return Number(m[1]);
		}
	}
	return null;
}

async function waitQuiet() {
	const until = Date.now() + 15 * 60_000;
	while (os.loadavg()[0] > 1.0 && Date.now() < until) {
		log(`load ${loadavg().join(" ")}: waiting for the 1-minute load to drop below 1.0`);
		await new Promise((r) => setTimeout(r, 30_000));
	}
}

/** Charts, report.md and (for bench/results) the generated part of BENCHMARKS.md. */
function render(o, results) {
	results.targets = targetVerdicts(results);
	mkdirSync(o.out, { recursive: true });
	for (const [name, svg] of Object.entries(renderCharts(results))) {
		writeFileSync(join(o.out, name), svg);
	}
	const report = renderReport(results);
	writeFileSync(join(o.out, "report.md"), report);
	formatFiles(join(o.out, "report.md"));
	if (o.out === join(HERE, "results")) {
		updateBenchmarksMd(report);
		formatFiles(join(ROOT, "BENCHMARKS.md"));
	}
	return report;
}

async function main() {
	const o = options();
	if (o.renderOnly) {
		const results = JSON.parse(readFileSync(join(o.out, "results.json"), "utf8"));
		render(o, results);
		log(`rendered ${o.out} from its results.json`);
		return;
	}
	const vars = ensureDevVars(o.serviceRoot, "bench");
	if (o.waitQuiet) await waitQuiet();
	const meta = {
		startedAt: new Date().toISOString(),
		loadavgStart: loadavg(),
		machine: machine(),
		commit: commitOf(o.serviceRoot),
		srcDigest: srcDigest(o.serviceRoot),
		serviceRoot: o.serviceRoot === ROOT ? "." : o.serviceRoot,
		maxBatchTimeoutS: maxBatchTimeout(o.serviceRoot),
		options: {
			rounds: o.rounds,
			concurrencies: o.concurrencies,
			partsPerRun: o.partsPer,
			tinyCount: o.tinyCount,
			tinyBytes: o.tinyBytes,
			commandSamples: o.samples,
			cleanupSizes: o.sizes,
			cleanupCompletedEvery: o.putEvery,
			pollMs: o.pollMs,
		},
	};
	log(
		`bench: ${meta.machine.nproc} cores, load ${meta.loadavgStart.join(" ")}, node ${meta.machine.node}, wrangler ${meta.machine.wrangler}`,
	);
	const state = join(ROOT, ".wrangler", "bench");
	mkdirSync(state, { recursive: true });
	log("starting the service and the baseline (bundled first, then wrangler dev)...");
	const [service, baseline] = await Promise.all([
		startWorker({
			root: o.serviceRoot,
			name: "service",
			config: join(o.serviceRoot, "wrangler.toml"),
			snapshot: { buildDir: join(state, "build-service"), entry: "index.js" },
			persistDir: join(state, "state-service"),
			port: PORTS.service,
			inspectorPort: PORTS.serviceInspector,
			findFree: false,
			logFile: join(state, "service.log"),
			logLevel: "warn",
			migrate: true,
			readyTimeoutMs: 120_000,
			ready: async (b) =>
				(await request("GET", `${b}/api/links`, { timeoutMs: 2000 })).status === 401,
		}),
		startWorker({
			root: ROOT,
			name: "baseline",
			config: join(HERE, "baseline", "wrangler.toml"),
			snapshot: { buildDir: join(state, "build-baseline"), entry: "worker.js" },
			persistDir: join(state, "state-baseline"),
			port: PORTS.baseline,
			inspectorPort: PORTS.baselineInspector,
			findFree: false,
			logFile: join(state, "baseline.log"),
			logLevel: "warn",
			migrate: false,
			readyTimeoutMs: 120_000,
			ready: async (b) => (await request("GET", `${b}/`, { timeoutMs: 2000 })).status === 404,
		}),
	]);
	const servers = { service, baseline };
	log(
		`service ${service.baseUrl} (pid ${service.pid}), baseline ${baseline.baseUrl} (pid ${baseline.pid})`,
	);
	const svc = new Service(service.baseUrl, vars.ADMIN_TOKEN);
	const base = new Baseline(baseline.baseUrl);
	await svc.createOwner();
	const ctx = { ...o, svc, base, servers, log };
	const results = { meta };
	try {
		if (o.only.has("e")) {
			log("(e) Durable Object round trips per request");
			results.doCalls = await doCallsPhase(ctx);
		}
		if (o.only.has("a")) {
			log(`(a) 8 MiB parts, ${o.rounds} rounds x concurrency ${o.concurrencies.join(", ")}`);
			results.parts = await partsPhase(ctx);
		}
		if (o.only.has("b")) {
			log(`(b) tiny single uploads (${o.tinyBytes} B), ${o.rounds} rounds`);
			results.tiny = await tinyPhase(ctx);
		}
		if (o.only.has("c")) {
			log(`(c) command latency, ${o.samples} samples each`);
			results.commands = await commandsPhase({ ...ctx, samples: o.samples });
		}
		if (o.only.has("d")) {
			log(`(d) cleanup scaling: ${o.sizes.join(", ")} uploads`);
			results.cleanup = await cleanupPhase({
				...ctx,
				fixedMs: results.commands?.summary.revoke.p50 ?? null,
			});
			results.sqlCalibration = await sqlCalibration(base);
		}
		if (o.profile) {
			log("profiles of the service isolate (not part of the numbers above)");
			results.profiles = await profiles(svc, PORTS.serviceInspector, log);
		}
	} finally {
		meta.finishedAt = new Date().toISOString();
		meta.durationS = Math.round((Date.now() - started) / 1000);
		meta.loadavgEnd = loadavg();
		closeAgents();
		await Promise.all([service.stop(), baseline.stop()]);
	}
	results.targets = targetVerdicts(results);
	mkdirSync(o.out, { recursive: true });
	const json = join(o.out, "results.json");
	writeFileSync(json, `${JSON.stringify(results, null, "\t")}\n`);
	const report = render(o, results);
	formatFiles(json);
	if (!o.keepState) {
		rmSync(join(state, "state-service"), { recursive: true, force: true });
		rmSync(join(state, "state-baseline"), { recursive: true, force: true });
	}
	log(`done in ${meta.durationS} s; results in ${o.out}`);
	console.log(`\n${report}`);
}

/** Files as Biome formats them (JSON, Markdown tables), so `npm run lint` stays clean. */
function formatFiles(...files) {
	const biome = join(ROOT, "node_modules", "@biomejs", "biome", "bin", "biome");
	if (!existsSync(biome)) return;
	try {
		execFileSync(process.execPath, [biome, "format", "--write", ...files], {
			cwd: ROOT,
			stdio: "ignore",
		});
	} catch {
		// formatting is cosmetic
	}
}

const START = "<!-- bench:generated:start -->";
const END = "<!-- bench:generated:end -->";

/** Replaces the generated section of BENCHMARKS.md (between the markers) with this run's report. */
function updateBenchmarksMd(report) {
	const file = join(ROOT, "BENCHMARKS.md");
	if (!existsSync(file)) return;
	const text = readFileSync(file, "utf8");
	const a = text.indexOf(START);
	const b = text.indexOf(END);
	if (a < 0 || b < a) return;
	const body = report.replace(/\]\((?!https?:)([^)]+\.svg)\)/g, "](bench/results/$1)");
	writeFileSync(file, `${text.slice(0, a + START.length)}\n\n${body.trim()}\n\n${text.slice(b)}`);
}

/** CPU profiles of the hot paths, each its own extra run. */
async function profiles(svc, inspectorPort, log) {
	const prof = await connectProfiler(inspectorPort);
	const out = {};
	const link = await svc.createLink({ maxFiles: null });
	const { closedLoop } = await import("./lib/http.mjs");
	const tiny = Buffer.alloc(1024, 1);
	const ups = await closedLoop(
		16,
		Array.from({ length: 200 }, (_, i) => () => svc.init(link, `p-${i}.txt`, 1024)),
	);
	await prof.start();
	await closedLoop(
		16,
		ups.results.map((up) => () => svc.putSingle(link, up, tiny)),
	);
	out.tinyPut = await prof.stop();
	log("  profiled 200 tiny PUTs at concurrency 16");
	const part = Buffer.alloc(8 * MiB, 7);
	const big = await svc.init(link, "p.bin", 8 * 8 * MiB);
	await prof.start();
	await closedLoop(
		4,
		Array.from({ length: 8 }, (_, i) => () => svc.putPart(link, big, i + 1, part)),
	);
	out.partPut = await prof.stop();
	log("  profiled 8 part PUTs at concurrency 4");
	const held = await svc.createLink({ maxFiles: null });
	await closedLoop(
		32,
		Array.from({ length: 1000 }, (_, i) => async () => {
			const up = await svc.init(held, `h-${i}.txt`, 8);
			if (i % 10 === 0) await svc.putSingle(held, up, Buffer.alloc(8));
		}),
	);
	await prof.start();
	const accepted = await svc.revoke(held);
	for (;;) {
		const c = (await svc.command(accepted)).json.command;
		if (c.status === "succeeded" || c.status === "rejected") break;
		await new Promise((r) => setTimeout(r, 50));
	}
	out.revoke1000 = await prof.stop();
	log("  profiled the revoke of a link holding 1,000 uploads");
	await prof.close();
	return out;
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
	process.on(signal, () => {
		console.error(`bench: ${signal}, stopping the servers`);
		killAll();
		process.exit(130);
	});
}

main().catch((error) => {
	console.error(`bench failed: ${error?.stack ?? error}`);
	killAll();
	process.exit(2);
});
