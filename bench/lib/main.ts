// `npm run bench`: options, the two servers, the phases in order, the output.
import { mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { ensureDevVars, sleep } from "../../scripts/lib/dev-server.ts";
import { Baseline } from "./baseline.ts";
import { closeAgents } from "./http.ts";
import { commitOf, loadavg, machine, maxBatchTimeout, srcDigest } from "./meta.ts";
import { HELP, type Options, type Paths, parseOptions } from "./options.ts";
import { readResults, render, writeResults } from "./output.ts";
import { calibrateSql } from "./phases/calibration.ts";
import { cleanupPhase } from "./phases/cleanup.ts";
import { commandsPhase } from "./phases/commands.ts";
import type { BenchContext, Log } from "./phases/context.ts";
import { doCallsPhase } from "./phases/do-calls.ts";
import { partsPhase } from "./phases/parts.ts";
import { profiles } from "./phases/profiles.ts";
import { smallPhase } from "./phases/small.ts";
import { tinyPhase } from "./phases/tiny.ts";
import { tusPhase } from "./phases/tus.ts";
import type { Meta, Results } from "./results.ts";
import { PORTS, startServers } from "./servers.ts";
import { Service } from "./service.ts";

const started = Date.now();

export const log: Log = (text) =>
	console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${text}`);

async function waitQuiet(): Promise<void> {
	const until = Date.now() + 15 * 60_000;
	while ((os.loadavg()[0] ?? 0) > 1.0 && Date.now() < until) {
		log(`load ${loadavg().join(" ")}: waiting for the 1-minute load to drop below 1.0`);
		await sleep(30_000);
	}
}

function metaOf(o: Options, root: string): Meta {
	return {
		startedAt: new Date().toISOString(),
		loadavgStart: loadavg(),
		machine: machine(root),
		commit: commitOf(o.serviceRoot),
		srcDigest: srcDigest(o.serviceRoot),
		serviceRoot: o.serviceRoot === root ? "." : o.serviceRoot,
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
}

/** The phases asked for, in order, into `results`. */
async function measure(ctx: BenchContext, results: Results): Promise<void> {
	const o = ctx;
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
	if (o.only.has("f")) {
		log(`(f) tus PATCH throughput for a 64 MiB file, ${o.rounds} rounds`);
		results.tus = await tusPhase(ctx);
	}
	if (o.only.has("c")) {
		log(`(c) command latency, ${o.samples} samples each`);
		results.commands = await commandsPhase(ctx);
	}
	if (o.only.has("d")) {
		log(`(d) cleanup scaling: ${o.sizes.join(", ")} uploads`);
		results.cleanup = await cleanupPhase(ctx, results.commands?.summary.revoke.p50 ?? null);
		results.sqlCalibration = await calibrateSql(ctx.base);
	}
	// After (c): its thousands of finalize commands would still be draining
	// through the queue while (c) counts the consumer's invocations.
	if (o.only.has("g")) {
		log(`(g) small files, complete: one request against three, ${o.rounds} rounds`);
		results.small = await smallPhase(ctx);
	}
	if (o.profile) {
		log("profiles of the service isolate (not part of the numbers above)");
		results.profiles = await profiles(ctx.svc, PORTS.serviceInspector, log);
	}
}

/** Runs the bench; resolves with the exit code. Throws if the harness fails. */
export async function main(argv: string[], paths: Paths): Promise<number> {
	const parsed = parseOptions(argv, paths);
	if (parsed === "help") {
		console.log(HELP);
		return 0;
	}
	const o = parsed;
	const out = { root: paths.root, out: o.out, results: paths.results };
	if (o.renderOnly) {
		render(out, readResults(o.out));
		log(`rendered ${o.out} from its results.json`);
		return 0;
	}
	const vars = ensureDevVars(o.serviceRoot, "bench");
	if (o.waitQuiet) await waitQuiet();
	const meta = metaOf(o, paths.root);
	log(
		`bench: ${meta.machine.nproc} cores, load ${meta.loadavgStart.join(" ")}, node ${meta.machine.node}, wrangler ${meta.machine.wrangler}`,
	);
	const state = join(paths.root, ".wrangler", "bench");
	mkdirSync(state, { recursive: true });
	log("starting the service and the baseline (bundled first, then wrangler dev)...");
	const servers = await startServers({ root: paths.root, serviceRoot: o.serviceRoot, state });
	const { service, baseline } = servers;
	log(
		`service ${service.baseUrl} (pid ${service.pid}), baseline ${baseline.baseUrl} (pid ${baseline.pid})`,
	);
	const results: Results = { meta };
	try {
		const adminToken = vars.ADMIN_TOKEN;
		if (!adminToken) throw new Error(".dev.vars does not set ADMIN_TOKEN");
		const svc = await Service.withNewOwner(service.baseUrl, adminToken);
		const base = new Baseline(baseline.baseUrl);
		await measure({ ...o, svc, base, servers, log }, results);
	} finally {
		meta.finishedAt = new Date().toISOString();
		meta.durationS = Math.round((Date.now() - started) / 1000);
		meta.loadavgEnd = loadavg();
		closeAgents();
		await Promise.all([service.stop(), baseline.stop()]);
	}
	const report = writeResults(out, results);
	if (!o.keepState) {
		rmSync(join(state, "state-service"), { recursive: true, force: true });
		rmSync(join(state, "state-baseline"), { recursive: true, force: true });
	}
	log(`done in ${meta.durationS} s; results in ${o.out}`);
	console.log(`\n${report}`);
	return 0;
}
