// Helpers shared by the scripts that start their own `wrangler dev` (the load
// test and the benchmarks): development secrets and free loopback ports.
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export const HOST = "127.0.0.1";

/** KEY=value lines of a .dev.vars file. */
export function readDevVars(file) {
	const vars = {};
	for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
		const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
		if (m?.[1]) vars[m[1]] = (m[2] ?? "").replace(/^"(.*)"$/, "$1");
	}
	return vars;
}

/** Creates .dev.vars from .dev.vars.example when missing; returns its variables. */
export function ensureDevVars(root, who = "dev") {
	const file = join(root, ".dev.vars");
	if (!existsSync(file)) {
		copyFileSync(join(root, ".dev.vars.example"), file);
		console.log(`${who}: created .dev.vars from .dev.vars.example`);
	}
	const vars = readDevVars(file);
	for (const name of ["ADMIN_TOKEN", "RETRY_TOKEN_SECRET"]) {
		if (!vars[name]) throw new Error(`.dev.vars does not set ${name}`);
	}
	return vars;
}

export function portFree(port) {
	return new Promise((resolve) => {
		const server = createServer();
		server.once("error", () => resolve(false));
		server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => resolve(true)));
	});
}

/** The first free port from `start` on (loopback). */
export async function freePort(start, tries = 50) {
	for (let port = start; port < start + tries; port++) if (await portFree(port)) return port;
	throw new Error(`no free port in ${start}..${start + tries - 1}`);
}
