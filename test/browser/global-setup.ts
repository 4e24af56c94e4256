/**
 * Global setup of the browser tests (`npm run test:browser`,
 * playwright.config.ts): starts ONE `wrangler dev` of this checkout (assets
 * built by wrangler's [build] step, the Worker bundled first) on a free
 * loopback port with a persistence directory of its own
 * (`.wrangler/browser-<pid>/`), D1 migrations applied. Tests get its base
 * URL and the development admin token through process.env
 * (BROWSER_BASE_URL, BROWSER_ADMIN_TOKEN), which Playwright's workers
 * inherit. The returned teardown kills wrangler's process group and keeps its
 * log as `.wrangler/browser-last.log`.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDevVars, killAll, startWorker } from "../../scripts/lib/dev-server.ts";
import { leaksInLog } from "../e2e/log-scan.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIRST_PORT = Number(process.env.BROWSER_PORT ?? 8930);

export default async function globalSetup(): Promise<() => Promise<void>> {
	const vars = ensureDevVars(ROOT, "browser");
	const dir = join(ROOT, ".wrangler", `browser-${process.pid}`);
	const logFile = join(dir, "wrangler.log");
	const lastLog = join(ROOT, ".wrangler", "browser-last.log");
	mkdirSync(dir, { recursive: true });
	const onSignal = (signal: NodeJS.Signals) => {
		killAll("SIGKILL");
		if (process.listenerCount(signal) === 0) process.exit(130);
	};
	for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, onSignal);

	const started = Date.now();
	const server = await startWorker({
		root: ROOT,
		name: "browser",
		config: join(ROOT, "wrangler.toml"),
		snapshot: { buildDir: join(dir, "build"), entry: "fault-worker.js" },
		// The service plus the test-only fault route (test/fault-worker.ts).
		main: join(ROOT, "test", "fault-worker.ts"),
		// Failed commands retry without backoff, so a dead letter appears in seconds.
		// Webhook receivers of the tests listen on loopback http.
		vars: { RETRY_BACKOFF_BASE_SECONDS: "0", WEBHOOK_ALLOW_HTTP_LOOPBACK: "1" },
		persistDir: join(dir, "state"),
		port: FIRST_PORT,
		findFree: true,
		logFile,
		migrate: true,
		readyTimeoutMs: 120_000,
		ready: async (baseUrl) => {
			const res = await fetch(`${baseUrl}/assets/site.css`, { signal: AbortSignal.timeout(2000) });
			await res.arrayBuffer();
			return res.status === 200;
		},
	}).catch((error: unknown) => {
		if (existsSync(logFile)) copyFileSync(logFile, lastLog);
		throw error;
	});
	// Pages are served from `localhost` (a secure context, so `Secure` cookies work over http).
	process.env.BROWSER_BASE_URL = server.baseUrl.replace("127.0.0.1", "localhost");
	process.env.BROWSER_ADMIN_TOKEN = vars.ADMIN_TOKEN ?? "";
	console.log(
		`browser: wrangler dev on ${process.env.BROWSER_BASE_URL} after ${((Date.now() - started) / 1000).toFixed(1)} s (log ${logFile})`,
	);
	return async () => {
		await server.stop();
		for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(signal, onSignal);
		if (existsSync(logFile)) copyFileSync(logFile, lastLog);
		// Nothing secret in what the Worker logged (and wrangler around it).
		const leaks = existsSync(logFile) ? leaksInLog(logFile, vars) : null;
		if (!process.env.BROWSER_KEEP_STATE) rmSync(dir, { recursive: true, force: true });
		if (leaks) throw new Error(leaks);
	};
}
