/**
 * The log-secrecy check for a `wrangler dev` run (e2e and browser global
 * setups): every line of its log, the Worker's console included, is scanned
 * for secrets (test/secret-patterns.ts) and the development secrets of
 * `.dev.vars` the server ran with.
 */
import { readFileSync } from "node:fs";
import { secretsIn } from "../secret-patterns.ts";

/** A message naming the leaks in `logFile`, or null when it is clean. */
export function leaksInLog(
	logFile: string,
	vars: Record<string, string | undefined>,
): string | null {
	const lines = readFileSync(logFile, "utf8").split("\n");
	const leaks = secretsIn(lines, [
		["the admin token", vars.ADMIN_TOKEN],
		["the Retry-Token signing secret", vars.RETRY_TOKEN_SECRET],
		["the link id signing secret", vars.LINK_ID_SECRET],
	]);
	if (leaks.length === 0) return null;
	const shown = leaks.slice(0, 5).map(([kind, line]) => `${kind}: ${line.slice(0, 300)}`);
	return `${leaks.length} log lines of ${logFile} carry secrets:\n${shown.join("\n")}`;
}
