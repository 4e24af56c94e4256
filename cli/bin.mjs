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
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, "receive-links.ts");
const [major, minor] = process.versions.node.split(".").map(Number);

if (major > 22 || (major === 22 && minor >= 18)) {
	await import(entry);
} else {
	const node22 = join(here, "..", "node_modules", "node", "bin", "node");
	if (!existsSync(node22)) {
		console.error(
			`receive-links needs Node 22.18 or later (this is ${process.version}); run npm install in the clone`,
		);
		process.exit(1);
	}
	const child = spawn(node22, [entry, ...process.argv.slice(2)], { stdio: "inherit" });
	// The terminal sends Ctrl-C to both processes; a signal sent to this one alone is passed on.
	for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
		process.on(signal, () => child.kill(signal));
	child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
}
