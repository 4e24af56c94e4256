#!/usr/bin/env node
// Local set-up that `npm start` runs first: creates .dev.vars from the
// committed example when missing, and applies D1 migrations to the local
// database (idempotent: wrangler applies only the new ones).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";

if (!existsSync(".dev.vars")) {
	copyFileSync(".dev.vars.example", ".dev.vars");
	console.log("Created .dev.vars from .dev.vars.example (development secrets).");
}

execFileSync("wrangler", ["d1", "migrations", "apply", "DB", "--local"], {
	stdio: "inherit",
	env: { ...process.env, CI: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
});
