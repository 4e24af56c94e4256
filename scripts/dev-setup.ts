#!/usr/bin/env node
// Local set-up that `npm start` runs first: creates .dev.vars from the
// committed example when missing (and appends keys added to the example
// since), then applies D1 migrations to the local database (idempotent:
// wrangler applies only the new ones).
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDevVars, WRANGLER_ENV, wranglerBin } from "./lib/dev-server.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

ensureDevVars(ROOT, "dev", []);
execFileSync(process.execPath, [wranglerBin(ROOT), "d1", "migrations", "apply", "DB", "--local"], {
	cwd: ROOT,
	stdio: "inherit",
	env: WRANGLER_ENV,
});
