#!/usr/bin/env node
// Local set-up that `npm start` runs first: creates .dev.vars from the
// committed example when missing, and applies D1 migrations to the local
// database (idempotent: wrangler applies only the new ones).
import { execFileSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";

if (!existsSync(".dev.vars")) {
	copyFileSync(".dev.vars.example", ".dev.vars");
	console.log("Created .dev.vars from .dev.vars.example (development secrets).");
} else {
	// A secret added to the example since .dev.vars was made is appended, so an old checkout starts.
	const keysOf = (text) => new Set(text.match(/^[A-Z0-9_]+(?==)/gm) ?? []);
	const have = keysOf(readFileSync(".dev.vars", "utf8"));
	for (const line of readFileSync(".dev.vars.example", "utf8").split("\n")) {
		const key = /^([A-Z0-9_]+)=/.exec(line)?.[1];
		if (key && !have.has(key)) {
			appendFileSync(".dev.vars", `\n${line}\n`);
			console.log(`Added ${key} to .dev.vars from .dev.vars.example.`);
		}
	}
}

execFileSync("wrangler", ["d1", "migrations", "apply", "DB", "--local"], {
	stdio: "inherit",
	env: { ...process.env, CI: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
