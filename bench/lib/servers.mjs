// The bench's two `wrangler dev` processes: the service (wrangler.toml) and the
// bare R2 baseline (bench/baseline/wrangler.toml). Each is bundled once first
// (`wrangler deploy --dry-run`), so edits to src/ during a run do not reload a
// Worker mid-measurement; each gets a clean persist dir under .wrangler/bench/,
// a fixed loopback port, and its own process group, killed on any exit.
import { execFile, spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

import {
	ensureDevVars as ensure,
	HOST,
	portFree,
	readDevVars,
} from "../../scripts/lib/dev-server.mjs";

export { HOST };

const WHO = "bench";

/**
 * .dev.vars (created from .dev.vars.example when missing) with every key of the
 * example present: a key added to the example since .dev.vars was made (such as
 * LINK_ID_SECRET, without which creating a link answers 500) is appended, as
 * `npm start` (scripts/dev-setup.mjs) does. Returns its variables.
 */
export function ensureDevVars(root) {
	ensure(root, WHO);
	const file = join(root, ".dev.vars");
	const have = readDevVars(file);
	for (const line of readFileSync(join(root, ".dev.vars.example"), "utf8").split(/\r?\n/)) {
		const key = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1];
		if (key && !(key in have)) {
			appendFileSync(file, `\n${line}\n`);
			console.log(`${WHO}: added ${key} to .dev.vars from .dev.vars.example`);
		}
	}
	const vars = readDevVars(file);
	if (!vars.LINK_ID_SECRET) throw new Error(".dev.vars does not set LINK_ID_SECRET");
	return vars;
}

export function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

const ENV = {
	...process.env,
	CI: "true",
	CLOUDFLARE_CF_FETCH_ENABLED: "false",
	WRANGLER_SEND_METRICS: "false",
	NO_COLOR: "1",
	FORCE_COLOR: "0",
};

function wranglerBin(root) {
	return join(root, "node_modules", "wrangler", "bin", "wrangler.js");
}

/** Runs wrangler to completion (with the project's own node); rejects with its output on failure. */
export function wrangler(root, args) {
	return new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			[wranglerBin(root), ...args],
			{ cwd: root, env: ENV, maxBuffer: 64 * 1024 * 1024 },
			(error, stdout, stderr) => {
				if (error) {
					error.message += `\n${stdout}\n${stderr}`.trimEnd();
					reject(error);
				} else resolve(`${stdout}`);
			},
		);
	});
}

const running = new Set();

/** Kills every server this process started (their process groups). Safe to call twice. */
export function killAll(signal = "SIGKILL") {
	for (const pid of running) {
		try {
			process.kill(-pid, signal);
		} catch {
			// already gone
		}
	}
	if (signal === "SIGKILL") running.clear();
}
process.on("exit", () => killAll("SIGKILL"));

/**
 * Bundles `config`'s Worker into `buildDir`, then starts `wrangler dev` on the
 * bundle at `port` (inspector at `inspectorPort`), persisting under
 * `persistDir`. `migrate` applies the D1 migrations to that dir first.
 * Resolves when `ready(baseUrl)` answers true.
 */
export async function startWorker({
	root,
	name,
	config,
	entry,
	buildDir,
	persistDir,
	port,
	inspectorPort,
	logFile,
	migrate,
	ready,
}) {
	for (const p of [port, inspectorPort]) {
		if (!(await portFree(p))) {
			throw new Error(
				`port ${p} on ${HOST} is busy: stop what uses it (another bench run?) and try again`,
			);
		}
	}
	rmSync(persistDir, { recursive: true, force: true });
	mkdirSync(persistDir, { recursive: true });
	rmSync(buildDir, { recursive: true, force: true });
	await wrangler(root, ["deploy", "--dry-run", "--config", config, "--outdir", buildDir]);
	if (migrate) {
		await wrangler(root, [
			"d1",
			"migrations",
			"apply",
			"DB",
			"--local",
			"--config",
			config,
			"--persist-to",
			persistDir,
		]);
	}
	const args = [
		wranglerBin(root),
		"dev",
		join(buildDir, entry),
		"--config",
		config,
		"--ip",
		HOST,
		"--port",
		String(port),
		"--inspector-ip",
		HOST,
		"--inspector-port",
		String(inspectorPort),
		"--persist-to",
		persistDir,
		"--show-interactive-dev-session=false",
		"--log-level",
		"warn",
	];
	const out = openSync(logFile, "w");
	const child = spawn(process.execPath, args, {
		cwd: root,
		env: ENV,
		detached: true,
		stdio: ["ignore", out, out],
	});
	running.add(child.pid);
	let exited = null;
	child.on("exit", (code, signal) => {
		exited = { code, signal };
	});
	const stop = async () => {
		if (exited === null) {
			try {
				process.kill(-child.pid, "SIGTERM");
			} catch {
				// gone
			}
			const until = Date.now() + 5000;
			while (exited === null && Date.now() < until) await sleep(100);
		}
		try {
			process.kill(-child.pid, "SIGKILL");
		} catch {
			// gone
		}
		running.delete(child.pid);
	};
	const baseUrl = `http://${HOST}:${port}`;
	const deadline = Date.now() + 120_000;
	for (;;) {
		if (exited !== null) {
			const log = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-3000) : "";
			running.delete(child.pid);
			throw new Error(`${name}: wrangler dev exited early (${JSON.stringify(exited)}):\n${log}`);
		}
		try {
			if (await ready(baseUrl)) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`${name}: wrangler dev did not answer on ${baseUrl} in 120 s (${logFile})`);
		}
		await sleep(250);
	}
	return { name, baseUrl, pid: child.pid, stop };
}
