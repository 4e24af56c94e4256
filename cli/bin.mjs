#!/usr/bin/env node
// The `receive-links` bin. Plain JavaScript so that any Node can start it:
// the CLI itself is TypeScript that Node 22.18+ runs as is (type stripping).
// On an older Node (say `npx --prefix <clone> receive-links` from another
// folder, where PATH has the system's node), it runs the CLI with the Node
// 22 of the clone's `node` devDependency instead, passing the arguments, the
// exit code and Ctrl-C through.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, "receive-links.ts");
const [major, minor] = process.versions.node.split(".").map(Number);

if (major > 22 || (major === 22 && minor >= 18)) {
	await import(pathToFileURL(entry).href);
} else {
	const node22 = join(here, "..", "node_modules", "node", "bin", "node");
	if (!existsSync(node22)) {
		console.error(
			`receive-links needs Node 22.18 or later (this is ${process.version}); run npm install in the clone`,
		);
		process.exit(1);
	}
	const child = spawn(node22, [entry, ...process.argv.slice(2)], { stdio: "inherit" });
	// Ctrl-C in a terminal reaches both processes (one process group): passing
	// it on would be a second Ctrl-C, which makes the CLI quit without its
	// words. A signal sent to this process alone is passed on.
	for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
		process.on(signal, () => {
			if (signal !== "SIGINT" || !process.stdin.isTTY) child.kill(signal);
		});
	child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
}
