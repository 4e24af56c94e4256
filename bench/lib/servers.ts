// The two Workers under test, each its own `wrangler dev` started by the one
// dev-server helper (scripts/lib/dev-server.ts): the service (wrangler.toml)
// and the bare R2 baseline (bench/baseline), on fixed loopback ports. Both log
// at "info" (one line per request, alike for both), so that (c) can count the
// queue consumer's invocations from the service's `QUEUE link-commands` lines.
import { join } from "node:path";
import { type DevServer, startWorker } from "../../scripts/lib/dev-server.ts";
import { request } from "./http.ts";

export const PORTS = {
	service: 8795,
	serviceInspector: 8796,
	baseline: 8797,
	baselineInspector: 8798,
} as const;

export interface ServerPaths {
	/** This checkout (its node_modules run the baseline). */
	root: string;
	/** The checkout whose service is measured. */
	serviceRoot: string;
	/** `.wrangler/bench`: bundles, persisted state, logs. */
	state: string;
}

/** Bundles both Workers, then starts them; resolves once both answer. */
export async function startServers(
	p: ServerPaths,
): Promise<{ service: DevServer; baseline: DevServer }> {
	const [service, baseline] = await Promise.all([
		startWorker({
			root: p.serviceRoot,
			name: "service",
			config: join(p.serviceRoot, "wrangler.toml"),
			snapshot: { buildDir: join(p.state, "build-service"), entry: "index.js" },
			persistDir: join(p.state, "state-service"),
			port: PORTS.service,
			inspectorPort: PORTS.serviceInspector,
			findFree: false,
			logFile: join(p.state, "service.log"),
			logLevel: "info",
			migrate: true,
			readyTimeoutMs: 120_000,
			ready: async (b) =>
				(await request("GET", `${b}/api/links`, { timeoutMs: 2000 })).status === 401,
		}),
		startWorker({
			root: p.root,
			name: "baseline",
			config: join(p.root, "bench", "baseline", "wrangler.toml"),
			snapshot: { buildDir: join(p.state, "build-baseline"), entry: "worker.js" },
			persistDir: join(p.state, "state-baseline"),
			port: PORTS.baseline,
			inspectorPort: PORTS.baselineInspector,
			findFree: false,
			logFile: join(p.state, "baseline.log"),
			logLevel: "info",
			migrate: false,
			readyTimeoutMs: 120_000,
			ready: async (b) => (await request("GET", `${b}/`, { timeoutMs: 2000 })).status === 404,
		}),
	]);
	return { service, baseline };
}
