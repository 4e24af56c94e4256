#!/usr/bin/env node
// Loopback load test (`npm run load`; options: `npm run load -- --help`).
//
// It imports the typed uploader client straight from src/client/index.ts.
// Node 22 strips TypeScript types natively, but strip-only mode refuses
// TypeScript-only runtime syntax such as the client's constructor parameter
// properties (`constructor(readonly problem: ...)`); when that happens this
// launcher re-runs itself once with `--experimental-transform-types`.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CLIENT = new URL("../src/client/index.ts", import.meta.url).href;

async function loadClient() {
	try {
		return await import(CLIENT);
	} catch (error) {
		const code = error && typeof error === "object" ? error.code : undefined;
		const needsTransform =
			code === "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX" &&
			process.features.typescript === "strip" &&
			!process.env.LOAD_TS_REEXEC;
		if (needsTransform) return null;
		if (code === "ERR_UNKNOWN_FILE_EXTENSION" || process.features.typescript === undefined) {
			console.error(
				`load: this Node (${process.version}) cannot import TypeScript; run it with \`npm run load\` (Node 22 from node_modules/.bin).`,
			);
			process.exit(2);
		}
		throw error;
	}
}

const client = await loadClient();
if (client === null) {
	const child = spawn(
		process.execPath,
		[
			"--experimental-transform-types",
			"--disable-warning=ExperimentalWarning",
			fileURLToPath(import.meta.url),
			...process.argv.slice(2),
		],
		{ stdio: "inherit", env: { ...process.env, LOAD_TS_REEXEC: "1" } },
	);
	// A terminal's Ctrl-C reaches the child too (same process group); signals
	// sent to this process alone are passed on. The child cleans up and exits.
	for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
		process.on(signal, () => {
			if (child.exitCode === null) child.kill(signal);
		});
	}
	child.on("exit", (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
} else {
	const { main } = await import("./load/main.mjs");
	process.exitCode = await main(client);
}
