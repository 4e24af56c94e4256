#!/usr/bin/env node
// Loopback load test (`npm run load`; options: `npm run load -- --help`).
// TypeScript run as it is by Node 22 (type stripping), importing the typed
// clients straight from src/client; see scripts/load/main.ts.
import { main } from "./load/main.ts";

process.exitCode = await main(process.argv.slice(2));
