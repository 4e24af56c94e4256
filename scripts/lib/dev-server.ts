/**
 * The one way the tools start `wrangler dev` (the load test, the benchmarks)
 * and prepare what it needs (`npm start` too): development secrets in
 * `.dev.vars`, free loopback ports, wrangler run with the project's own Node,
 * and servers in their own process groups, always killed when this process
 * ends.
 */
import { type ExecFileOptions, execFile, spawn } from "node:child_process";
import {
	appendFileSync,
	copyFileSync,
	existsSync,
	mkdirSync,
	openSync,
	readFileSync,
	rmSync,
} from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export const HOST = "127.0.0.1";

export type DevVars = Record<string, string>;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** KEY=value lines of a .dev.vars file. */
export function readDevVars(file: string): DevVars {
	const vars: DevVars = {};
	for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
		const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
		if (m?.[1]) vars[m[1]] = (m[2] ?? "").replace(/^"(.*)"$/, "$1");
	}
	return vars;
}

/** The secrets the service cannot run without (creating a link answers 500 without LINK_ID_SECRET). */
export const REQUIRED_VARS = ["ADMIN_TOKEN", "RETRY_TOKEN_SECRET", "LINK_ID_SECRET"] as const;

/**
 * `.dev.vars` under `root`, created from `.dev.vars.example` when missing,
 * with every key of the example present: a key added to the example since
 * `.dev.vars` was made is appended, so an old checkout still starts. Throws
 * if one of `required` is unset; returns the variables.
 */
export function ensureDevVars(
	root: string,
	who: string,
	required: readonly string[] = REQUIRED_VARS,
): DevVars {
	const file = join(root, ".dev.vars");
	const example = join(root, ".dev.vars.example");
	if (!existsSync(file)) {
		copyFileSync(example, file);
		console.log(`${who}: created .dev.vars from .dev.vars.example (development secrets)`);
	}
	const have = readDevVars(file);
	for (const line of readFileSync(example, "utf8").split(/\r?\n/)) {
		const key = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1];
		if (key && !(key in have)) {
			appendFileSync(file, `\n${line}\n`);
			console.log(`${who}: added ${key} to .dev.vars from .dev.vars.example`);
		}
	}
	const vars = readDevVars(file);
	for (const name of required) {
		if (!vars[name]) throw new Error(`.dev.vars does not set ${name}`);
	}
	return vars;
}

export function portFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = createServer();
		server.once("error", () => resolve(false));
		server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => resolve(true)));
	});
}

/** The first free port from `start` on (loopback). */
export async function freePort(start: number, tries = 50): Promise<number> {
	for (let port = start; port < start + tries; port++) if (await portFree(port)) return port;
	throw new Error(`no free port in ${start}..${start + tries - 1}`);
}

/** What wrangler sees: no prompts, no metrics, no colours, no calls to Cloudflare. */
export const WRANGLER_ENV: NodeJS.ProcessEnv = {
	...process.env,
	CI: "true",
	CLOUDFLARE_CF_FETCH_ENABLED: "false",
	WRANGLER_SEND_METRICS: "false",
	NO_COLOR: "1",
	FORCE_COLOR: "0",
};

/** wrangler's entry point in `root`'s node_modules, run with this process's Node (22). */
export function wranglerBin(root: string): string {
	return join(root, "node_modules", "wrangler", "bin", "wrangler.js");
}

/** Runs wrangler to completion; rejects with its output on failure. */
export function wrangler(
	root: string,
	args: string[],
	options: ExecFileOptions = {},
): Promise<string> {
	return new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			[wranglerBin(root), ...args],
			{ cwd: root, env: WRANGLER_ENV, maxBuffer: 64 * 1024 * 1024, ...options },
			(error, stdout, stderr) => {
				if (error) {
					error.message += `\n${stdout}\n${stderr}`.trimEnd();
					reject(error);
				} else resolve(String(stdout));
			},
		);
	});
}

const running = new Set<number>();

/** Kills every server this process started (their process groups). Safe to call twice. */
export function killAll(signal: NodeJS.Signals = "SIGKILL"): void {
	for (const pid of running) killGroup(pid, signal);
	if (signal === "SIGKILL") running.clear();
}
// Last resort: whatever way this process ends, its servers die with it.
process.on("exit", () => killAll("SIGKILL"));

function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

export interface WorkerOptions {
	/** The checkout whose node_modules (wrangler) and Worker are used. */
	root: string;
	/** For messages. */
	name: string;
	/** The Worker's wrangler.toml. */
	config: string;
	/**
	 * Bundle the Worker first (`wrangler deploy --dry-run`) into `buildDir` and
	 * serve `buildDir/<entry>`, so edits to src/ during a run do not reload it.
	 * The bundle is bundled again by wrangler dev (no `--no-bundle`): that adds
	 * wrangler's dev middleware, which drains request bodies a Worker answered
	 * without reading; without it an early refusal (423, 410, 404) of a PUT of
	 * a few MiB fails in the local proxy ("Network connection lost").
	 */
	snapshot: { buildDir: string; entry: string } | null;
	/** The Worker's entry instead of wrangler.toml's `main` (the browser tests' fault worker). */
	main?: string;
	/** Variables set on top of wrangler.toml's `[vars]` (`--var KEY:value`). */
	vars?: Record<string, string>;
	persistDir: string;
	/**
	 * Start on the state a previous run left in `persistDir` (and its bundle,
	 * when `snapshot.buildDir` holds one) instead of a clean directory: the
	 * crash tests' restart after `kill()`.
	 */
	keepState?: boolean;
	/** The listening port; with `findFree`, the first port tried. */
	port: number;
	/** The inspector port; with `findFree` and none given, the first free one from port + 1000. */
	inspectorPort?: number;
	/** Look for free ports from `port` on (else the given ports must be free). */
	findFree: boolean;
	logFile: string;
	/** Apply the D1 migrations to `persistDir` first. */
	migrate: boolean;
	/** `--log-level` of wrangler dev (default: wrangler's). */
	logLevel?: "debug" | "info" | "log" | "warn" | "error" | "none";
	/** Resolves true once the server answers as expected. */
	ready: (baseUrl: string) => Promise<boolean>;
	readyTimeoutMs: number;
}

export interface DevServer {
	name: string;
	baseUrl: string;
	pid: number;
	/** Where wrangler's output goes (the `logFile` it was started with). */
	logFile: string;
	/** SIGTERM, then SIGKILL after 5 s, to the whole process group. */
	stop: () => Promise<void>;
	/** `kill -9` of the whole process group (wrangler, workerd), at once; resolves once it exited. */
	kill: () => Promise<void>;
}

/** Starts `wrangler dev` on a clean persist dir and resolves once `ready` says so. */
export async function startWorker(o: WorkerOptions): Promise<DevServer> {
	const [port, inspectorPort] = await ports(o);
	if (!o.keepState) rmSync(o.persistDir, { recursive: true, force: true });
	mkdirSync(o.persistDir, { recursive: true });
	const script: string[] = [];
	const built = o.snapshot ? join(o.snapshot.buildDir, o.snapshot.entry) : null;
	if (o.snapshot && !(o.keepState && built && existsSync(built))) {
		rmSync(o.snapshot.buildDir, { recursive: true, force: true });
		await wrangler(o.root, [
			"deploy",
			"--dry-run",
			"--config",
			o.config,
			"--outdir",
			o.snapshot.buildDir,
			...(o.main ? [o.main] : []),
		]);
	}
	if (built) script.push(built);
	if (o.migrate) {
		await wrangler(o.root, [
			"d1",
			"migrations",
			"apply",
			"DB",
			"--local",
			"--config",
			o.config,
			"--persist-to",
			o.persistDir,
		]);
	}
	const args = [
		wranglerBin(o.root),
		"dev",
		...(script.length > 0 ? script : o.main ? [o.main] : []),
		"--config",
		o.config,
		"--ip",
		HOST,
		"--port",
		String(port),
		"--inspector-ip",
		HOST,
		"--inspector-port",
		String(inspectorPort),
		"--persist-to",
		o.persistDir,
		"--show-interactive-dev-session=false",
		...Object.entries(o.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
		...(o.logLevel ? ["--log-level", o.logLevel] : []),
	];
	const out = openSync(o.logFile, "w");
	const child = spawn(process.execPath, args, {
		cwd: o.root,
		env: WRANGLER_ENV,
		detached: true,
		stdio: ["ignore", out, out],
	});
	const pid = child.pid;
	if (pid === undefined) throw new Error(`${o.name}: wrangler dev did not start`);
	running.add(pid);
	let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
	child.on("exit", (code, signal) => {
		exited = { code, signal };
	});
	const stop = async () => {
		if (exited === null) {
			killGroup(pid, "SIGTERM");
			const until = Date.now() + 5000;
			while (exited === null && Date.now() < until) await sleep(100);
		}
		killGroup(pid, "SIGKILL");
		running.delete(pid);
	};
	const kill = async () => {
		killGroup(pid, "SIGKILL");
		const until = Date.now() + 5000;
		while (exited === null && Date.now() < until) await sleep(20);
		running.delete(pid);
	};
	const baseUrl = `http://${HOST}:${port}`;
	const deadline = Date.now() + o.readyTimeoutMs;
	for (;;) {
		if (exited !== null) {
			const log = existsSync(o.logFile) ? readFileSync(o.logFile, "utf8").slice(-3000) : "";
			running.delete(pid);
			throw new Error(`${o.name}: wrangler dev exited early (${JSON.stringify(exited)}):\n${log}`);
		}
		try {
			if (await o.ready(baseUrl)) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(
				`${o.name}: wrangler dev did not answer on ${baseUrl} within ${o.readyTimeoutMs / 1000} s (log: ${o.logFile})`,
			);
		}
		await sleep(250);
	}
	return { name: o.name, baseUrl, pid, logFile: o.logFile, stop, kill };
}

async function ports(o: WorkerOptions): Promise<[number, number]> {
	if (o.findFree) {
		const port = await freePort(o.port);
		return [port, await freePort(o.inspectorPort ?? port + 1000)];
	}
	const inspector = o.inspectorPort ?? o.port + 1;
	for (const p of [o.port, inspector]) {
		if (!(await portFree(p))) {
			throw new Error(
				`port ${p} on ${HOST} is busy: stop what uses it (another run?) and try again`,
			);
		}
	}
	return [o.port, inspector];
}
