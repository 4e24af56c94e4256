#!/usr/bin/env node
// `npm run bench`: the service against a bare R2 Worker, on loopback.
//
// Starts two `wrangler dev` processes (same wrangler, same workerd build): the
// service (wrangler.toml, port 8795) and the baseline (bench/baseline, port
// 8797). Drives both with one purpose-built HTTP client (bench/lib/http.ts),
// alternating which goes first, several rounds, and reports medians:
//   (a) 8 MiB part uploads at concurrency 1, 4, 16: MiB/s, p50/p99, ratio
//   (b) tiny single uploads: requests/s, p50/p99, ratio
//   (c) revoke and finalize latency, 202 to final status, next to max_batch_timeout
//   (d) revoke and delete cleanup time for links holding 10 .. 10,000 uploads
//   (e) Durable Object round trips per request (Server-Timing)
//   (f) tus PATCH throughput for a 64 MiB file (one PATCH, 8 MiB PATCHes)
//       against native 8 MiB parts and bare R2 parts
// Writes bench/results/results.json, SVG charts and report.md, and refreshes
// the generated section of BENCHMARKS.md. `npm run bench -- --help` for options.
// TypeScript run as it is by Node 22 (type stripping); see bench/lib/main.ts.
// Exit 0 when done, 2 if the harness failed, 130 on a signal.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { killAll } from "../scripts/lib/dev-server.ts";
import { main } from "./lib/main.ts";

const HERE = dirname(fileURLToPath(import.meta.url));

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
	process.on(signal, () => {
		console.error(`bench: ${signal}, stopping the servers`);
		killAll();
		process.exit(130);
	});
}

try {
	process.exitCode = await main(process.argv.slice(2), {
		root: resolve(HERE, ".."),
		results: join(HERE, "results"),
	});
} catch (error) {
	console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error) : error}`);
	killAll();
	process.exit(2);
}
