// The loopback load test: one owner, M links, N concurrent uploaders using the
// typed client, owner actions (pause/resume, settings, revoke, delete) fired
// while uploads are in flight; then quiesce, audit every link, check bytes and
// checksums, print a report. Exit 1 on any violation, 2 if the harness failed,
// 3 at the hard time limit, 130 on a signal.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { OwnerClient } from "../../src/client/index.ts";
import { type DevServer, ensureDevVars, sleep, startWorker } from "../lib/dev-server.ts";
import { answer, expectStatus } from "./answer.ts";
import { type LoadOptions, parseOptions, usage } from "./options.ts";
import { fireTerminal, ownerLoop, setup } from "./owner.ts";
import { makePlan } from "./plan.ts";
import { type RunInfo, report } from "./report.ts";
import { RunState } from "./state.ts";
import { seconds } from "./table.ts";
import { runUploader } from "./uploaders.ts";
import { audit, checkLinks, judgeCommands, noteServerErrors, quiesce } from "./verify.ts";
import { checkWebhooks, startWebhooks } from "./webhooks.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const STATE = join(ROOT, ".wrangler", "load-state");
const LOG = join(ROOT, ".wrangler", "load-wrangler.log");

export async function main(argv: string[]): Promise<number> {
	const start = Date.now();
	let o: LoadOptions;
	try {
		const parsed = parseOptions(argv);
		if (parsed === "help") {
			console.log(usage());
			return 0;
		}
		o = parsed;
	} catch (error) {
		console.error(`load: ${error instanceof Error ? error.message : error}\n${usage()}`);
		return 2;
	}
	let server: DevServer | null = null;
	const stopThenExit = (code: number) => {
		const done = () => process.exit(code);
		(server ? server.stop() : Promise.resolve()).then(done, done);
	};
	let interrupted = false;
	for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
		process.on(signal, () => {
			if (interrupted) return;
			interrupted = true;
			console.error(`\nload: ${signal}, stopping wrangler`);
			stopThenExit(130);
		});
	}
	const hardLimitMs = (o.duration + o.quiesce + 180) * 1000;
	const watchdog = setTimeout(() => {
		console.error(`load: hard time limit (${hardLimitMs / 1000} s) reached, giving up`);
		stopThenExit(3);
	}, hardLimitMs);
	watchdog.unref();

	try {
		const vars = ensureDevVars(ROOT, "load");
		console.log(
			`load: seed ${o.seed}; starting wrangler dev (state .wrangler/load-state, log .wrangler/load-wrangler.log)`,
		);
		server = await startWorker({
			root: ROOT,
			name: "load",
			config: join(ROOT, "wrangler.toml"),
			snapshot: o.snapshot
				? { buildDir: join(ROOT, ".wrangler", "load-build"), entry: "index.js" }
				: null,
			persistDir: STATE,
			port: o.port,
			findFree: true,
			logFile: LOG,
			migrate: true,
			// The run's webhook receiver listens on loopback http.
			vars: { WEBHOOK_ALLOW_HTTP_LOOPBACK: "1" },
			readyTimeoutMs: 90_000,
			ready: async (baseUrl) => {
				const res = await fetch(`${baseUrl}/api/links`, { signal: AbortSignal.timeout(2000) });
				await res.arrayBuffer();
				return res.status === 401;
			},
		});
		console.log(
			`load: wrangler dev ready on ${server.baseUrl} after ${seconds(Date.now() - start)}`,
		);
		const run = new RunState(o, makePlan(o), server.baseUrl);
		const admin = new OwnerClient(server.baseUrl, {
			adminToken: vars.ADMIN_TOKEN,
			fetch: run.fetchFor(false),
		});
		const owner = await setup(run, admin);
		const receiver = await startWebhooks(owner);
		const info = await loadPhase(run, owner, start);
		const q0 = Date.now();
		await quiesce(run, owner);
		judgeCommands(run);
		info.quiesceMs = Date.now() - q0;
		const c0 = Date.now();
		await audit(run, admin);
		info.checks = await checkLinks(run, owner);
		info.checkMs = Date.now() - c0;
		const w0 = Date.now();
		const hooks = await checkWebhooks(run, owner, receiver);
		await receiver.close();
		console.log(
			`load: webhooks after ${seconds(Date.now() - w0)}: ${hooks.deliveries} deliveries received, ${hooks.events} distinct events (${Object.entries(
				hooks.byType,
			)
				.map(([t, n]) => `${t} ${n}`)
				.join(
					", ",
				)}), ${hooks.duplicates} duplicates (same webhook-id), ${hooks.unverified} unverified; expected from live links: ${hooks.expectedLinkEvents} transitions + ${hooks.expectedFiles} files; lost ${hooks.lost}`,
		);
		noteServerErrors(run, LOG);
		console.log(report(run, info));
		return run.violations.length > 0 ? 1 : 0;
	} catch (error) {
		console.error(`load: harness failure: ${error instanceof Error ? error.stack : error}`);
		if (server) {
			await sleep(1500); // let wrangler flush its log
			try {
				const tail = readFileSync(LOG, "utf8").split("\n").slice(-40).join("\n");
				console.error(`--- tail of ${LOG} ---\n${tail}`);
			} catch {
				// no log
			}
		}
		return 2;
	} finally {
		if (server) await server.stop();
		clearTimeout(watchdog);
	}
}

/** Uploaders and owner actions at once, under the duration cap; every planned terminal command issued. */
async function loadPhase(run: RunState, owner: OwnerClient, start: number): Promise<RunInfo> {
	const o = run.o;
	const info: RunInfo = { start, loadMs: 0 };
	const fires: Promise<void>[] = [];
	const fire = (L: (typeof run.links)[number]) => fireTerminal(run, owner, L);
	const fireRest = () => {
		for (const L of run.links) if (L.action !== "none" && !L.fired) fires.push(fire(L));
	};
	run.t0 = Date.now();
	let uploadsDone = false;
	const capTimer = setTimeout(() => {
		run.stopped = true;
		info.capped = true;
		run.cap.abort(new Error("duration cap"));
	}, o.duration * 1000);
	const fallback = setTimeout(fireRest, (o.duration * 1000) / 2);
	const progress = setInterval(() => {
		const done = run.records.filter((x) => x.outcome).length;
		console.log(
			`load: ${run.at()} ${done}/${o.uploaders * o.files} files done, ${run.violations.length} violations so far`,
		);
	}, 10_000);
	console.log(`load: ${o.uploaders} uploaders on ${o.links} links started`);
	const ownerActions = ownerLoop(run, owner, () => uploadsDone);
	await Promise.all(run.plan.uploaders.map((p) => runUploader(run, p, fire, fires)));
	uploadsDone = true;
	clearTimeout(capTimer);
	clearInterval(progress);
	info.owner = await ownerActions;
	clearTimeout(fallback);
	// Every planned terminal command is issued, even if the uploads finished first.
	fireRest();
	await Promise.all(fires);
	for (const L of run.links) {
		if (L.action !== "none") continue;
		const res = await answer(owner.resume(L.id));
		expectStatus(run, "final resume", res, [200], L);
	}
	info.loadMs = Date.now() - run.t0;
	if (info.capped) {
		const cut = run.records.filter((x) => x.outcome === "cut off" || x.outcome === "not started");
		run.notes.push(
			`the load phase hit the ${o.duration} s cap: ${cut.length} uploads cut off or not started`,
		);
	}
	console.log(
		`load: load phase over after ${seconds(info.loadMs)}; waiting for commands to settle`,
	);
	return info;
}
