// The load test's own `wrangler dev`: a clean persist dir, D1 migrations, a
// loopback-only listener on a free port, and a process group that is always
// killed on exit.
import { execFile, spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

import { ensureDevVars as ensure, freePort, HOST, readDevVars } from "../lib/dev-server.mjs";

const WHO = "load";

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

function run(cmd, args, options) {
	return new Promise((resolve, reject) => {
		execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...options }, (error, stdout, stderr) => {
			if (error) {
				error.message += `\n${stdout}\n${stderr}`.trimEnd();
				reject(error);
			} else resolve(stdout);
		});
	});
}

/**
 * Starts wrangler dev. With `snapshot`, the Worker is first bundled once
 * (`wrangler deploy --dry-run`) and wrangler dev serves that bundle, so edits
 * to src/ made while the load test runs do not reload the Worker mid-run.
 * The bundle is bundled again by wrangler dev (no `--no-bundle`): that adds
 * wrangler's dev middleware, which drains request bodies a Worker answered
 * without reading. Without it, every early refusal (423, 410, 404) of a PUT
 * of a few MiB or more fails in the local proxy ("Network connection lost",
 * connection reset) instead of reaching the client.
 */
export async function startServer({ root, port, persistDir, buildDir, logFile, snapshot, vars }) {
	const env = {
		...process.env,
		CI: "true",
		CLOUDFLARE_CF_FETCH_ENABLED: "false",
		WRANGLER_SEND_METRICS: "false",
		NO_COLOR: "1",
		FORCE_COLOR: "0",
	};
	rmSync(persistDir, { recursive: true, force: true });
	mkdirSync(persistDir, { recursive: true });
	const npx = process.platform === "win32" ? "npx.cmd" : "npx";
	const script = [];
	if (snapshot) {
		rmSync(buildDir, { recursive: true, force: true });
		await run(npx, ["wrangler", "deploy", "--dry-run", "--outdir", buildDir], { cwd: root, env });
		script.push(join(buildDir, "index.js"), "--config", join(root, "wrangler.toml"));
	}
	await run(
		npx,
		["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir],
		{ cwd: root, env },
	);
	const listenPort = await freePort(port);
	const inspectorPort = await freePort(listenPort + 1000);
	const args = [
		"wrangler",
		"dev",
		...script,
		"--ip",
		HOST,
		"--port",
		String(listenPort),
		"--inspector-port",
		String(inspectorPort),
		"--inspector-ip",
		HOST,
		"--persist-to",
		persistDir,
		"--show-interactive-dev-session=false",
	];
	for (const [k, v] of Object.entries(vars ?? {})) args.push("--var", `${k}:${v}`);
	const out = openSync(logFile, "w");
	const child = spawn(npx, args, { cwd: root, env, detached: true, stdio: ["ignore", out, out] });
	let exited = null;
	child.on("exit", (code, signal) => {
		exited = { code, signal };
	});
	const killGroup = (signal) => {
		try {
			process.kill(-child.pid, signal);
		} catch {
			// already gone
		}
	};
	// Last resort: whatever way this process ends, the server dies with it.
	const onExit = () => killGroup("SIGKILL");
	process.on("exit", onExit);

	const stop = async () => {
		if (exited === null) {
			killGroup("SIGTERM");
			const until = Date.now() + 5000;
			while (exited === null && Date.now() < until) await sleep(100);
		}
		killGroup("SIGKILL");
		process.off("exit", onExit);
	};

	const baseUrl = `http://${HOST}:${listenPort}`;
	const deadline = Date.now() + 90_000;
	for (;;) {
		if (exited !== null) {
			const log = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-3000) : "";
			throw new Error(`wrangler dev exited early (${JSON.stringify(exited)}):\n${log}`);
		}
		try {
			const res = await fetch(`${baseUrl}/api/links`, { signal: AbortSignal.timeout(2000) });
			await res.arrayBuffer();
			if (res.status === 401) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`wrangler dev did not answer on ${baseUrl} within 90 s (log: ${logFile})`);
		}
		await sleep(250);
	}
	return { baseUrl, pid: child.pid, stop };
}

export function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}
