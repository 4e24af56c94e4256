/**
 * Global setup of the Node-side end-to-end tests (`npm run test:e2e`,
 * `vitest.e2e.config.ts`): starts ONE `wrangler dev` of this checkout's
 * Worker through scripts/lib/dev-server.ts (bundled first, so edits to src/
 * during a run do not reload it), on a free loopback port and a persistence
 * directory of its own (`.wrangler/e2e-<pid>/`, never `npm start`'s state),
 * with the D1 migrations applied. The tests get its base URL and the admin
 * token of `.dev.vars` through `inject("e2eBaseUrl")` and
 * `inject("e2eAdminToken")`. Teardown kills wrangler's whole process group,
 * keeps its log as `.wrangler/e2e-last.log` and removes the state.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import {
	type DevServer,
	ensureDevVars,
	killAll,
	startWorker,
} from "../../scripts/lib/dev-server.ts";
import { leaksInLog } from "./log-scan.ts";

declare module "vitest" {
	export interface ProvidedContext {
		/** `http://127.0.0.1:<port>` of the `wrangler dev` the tests run against. */
		e2eBaseUrl: string;
		/** The ADMIN_TOKEN of `.dev.vars` (development secret) that server runs with. */
		e2eAdminToken: string;
	}
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** First port tried; the next free one is used. */
const FIRST_PORT = Number(process.env.E2E_PORT ?? 8870);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
	const vars = ensureDevVars(ROOT, "e2e");
	const dir = join(ROOT, ".wrangler", `e2e-${process.pid}`);
	const logFile = join(dir, "wrangler.log");
	const lastLog = join(ROOT, ".wrangler", "e2e-last.log");
	mkdirSync(dir, { recursive: true });

	// Whatever way this process ends, wrangler goes with it (dev-server.ts
	// also kills on "exit"; a signal does not always get there).
	const onSignal = (signal: NodeJS.Signals) => {
		killAll("SIGKILL");
		if (process.listenerCount(signal) === 0) process.exit(130);
	};
	for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, onSignal);

	const started = Date.now();
	let server: DevServer;
	try {
		server = await startWorker({
			root: ROOT,
			name: "e2e",
			config: join(ROOT, "wrangler.toml"),
			snapshot: { buildDir: join(dir, "build"), entry: "index.js" },
			persistDir: join(dir, "state"),
			port: FIRST_PORT,
			findFree: true,
			logFile,
			migrate: true,
			// Webhook endpoints on loopback http: the receivers of test/e2e/webhooks.e2e.ts.
			vars: { WEBHOOK_ALLOW_HTTP_LOOPBACK: "1" },
			readyTimeoutMs: 120_000,
			ready: async (baseUrl) => {
				const res = await fetch(`${baseUrl}/api/links`, { signal: AbortSignal.timeout(2000) });
				await res.arrayBuffer();
				return res.status === 401;
			},
		});
	} catch (error) {
		if (existsSync(logFile)) copyFileSync(logFile, lastLog);
		throw error;
	}
	console.log(
		`e2e: wrangler dev on ${server.baseUrl} after ${((Date.now() - started) / 1000).toFixed(1)} s (log ${logFile})`,
	);
	project.provide("e2eBaseUrl", server.baseUrl);
	project.provide("e2eAdminToken", vars.ADMIN_TOKEN ?? "");

	return async () => {
		await server.stop();
		for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(signal, onSignal);
		if (existsSync(logFile)) {
			copyFileSync(logFile, lastLog);
			const errors = readFileSync(logFile, "utf8")
				.split("\n")
				.filter((l) => /\b(Uncaught|Error:|✘)/.test(l));
			if (errors.length > 0)
				console.log(
					`e2e: ${errors.length} error lines in the wrangler log (kept as .wrangler/e2e-last.log), first:\n${errors.slice(0, 5).join("\n")}`,
				);
		}
		// Nothing secret in what the Worker logged (and wrangler around it).
		const leaks = existsSync(logFile) ? leaksInLog(logFile, vars) : null;
		if (!process.env.E2E_KEEP_STATE) rmSync(dir, { recursive: true, force: true });
		if (leaks) throw new Error(leaks);
	};
}
