/**
 * The crash tests' service: the real Worker (with the test-only fault route of
 * test/fault-worker.ts) under `wrangler dev`, on one persistence directory
 * that survives `kill -9` of its whole process group, restarted on the same
 * port (upload URLs name the origin) and the same state.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DevServer, ensureDevVars, startWorker } from "../../scripts/lib/dev-server.ts";
import { OwnerClient } from "../../src/client/index.ts";
import { leaksInLog } from "../e2e/log-scan.ts";

/** The faults of test/hooks.ts these tests use (that module's types pull in the Worker's). */
export interface CrashFaults {
	failSend?: number;
	failEventSend?: number;
	failStep?: Record<string, number>;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIRST_PORT = Number(process.env.CRASH_PORT ?? 9010);

export class CrashService {
	private server: DevServer | null = null;
	private port = FIRST_PORT;
	private starts = 0;
	readonly dir = join(ROOT, ".wrangler", `crash-${process.pid}`);
	readonly vars = ensureDevVars(ROOT, "crash");
	readonly logs: string[] = [];

	get baseUrl(): string {
		if (!this.server) throw new Error("the service is not running");
		return this.server.baseUrl;
	}

	admin(): OwnerClient {
		return new OwnerClient(this.baseUrl, { adminToken: this.vars.ADMIN_TOKEN ?? "" });
	}

	/** Starts wrangler dev: the first time on a clean directory, later on what the last run left. */
	async start(): Promise<number> {
		const first = this.starts === 0;
		this.starts++;
		if (first) mkdirSync(this.dir, { recursive: true });
		const logFile = join(this.dir, `wrangler-${this.starts}.log`);
		this.logs.push(logFile);
		const began = Date.now();
		this.server = await startWorker({
			root: ROOT,
			name: `crash-${this.starts}`,
			config: join(ROOT, "wrangler.toml"),
			snapshot: { buildDir: join(this.dir, "build"), entry: "fault-worker.js" },
			main: join(ROOT, "test", "fault-worker.ts"),
			// The queue's real backoff (2, 4, 8 … s): a failing command must not reach
			// the dead-letter queue before the kill. Webhooks go to a loopback receiver.
			vars: { WEBHOOK_ALLOW_HTTP_LOOPBACK: "1" },
			persistDir: join(this.dir, "state"),
			keepState: !first,
			port: this.port,
			findFree: first,
			logFile,
			migrate: first,
			readyTimeoutMs: 120_000,
			ready: async (baseUrl) => {
				const res = await fetch(`${baseUrl}/api/links`, { signal: AbortSignal.timeout(2000) });
				await res.arrayBuffer();
				return res.status === 401;
			},
		});
		this.port = Number(new URL(this.server.baseUrl).port);
		return Date.now() - began;
	}

	/** `kill -9` of wrangler dev's whole process group. */
	async kill(): Promise<void> {
		await this.server?.kill();
		this.server = null;
	}

	async stop(): Promise<void> {
		await this.server?.stop();
		this.server = null;
	}

	/** Installs test faults on a link's live Durable Object (gone with the process). */
	async faults(linkId: string, faults: CrashFaults): Promise<void> {
		const res = await fetch(`${this.baseUrl}/__test/faults`, {
			method: "POST",
			headers: {
				Authorization: `Bearer ${this.vars.ADMIN_TOKEN}`,
				"Content-Type": "application/json",
			},
			body: JSON.stringify({ linkId, faults }),
		});
		if (res.status !== 204) throw new Error(`faults: ${res.status} ${await res.text()}`);
	}

	/** Keeps the logs as `.wrangler/crash-last-<n>.log`, removes the state; the log leaks found, if any. */
	cleanup(): string | null {
		const leaks = this.logs
			.filter((f) => existsSync(f))
			.map((f) => leaksInLog(f, this.vars))
			.filter((x) => x !== null);
		this.logs.forEach((f, i) => {
			if (existsSync(f)) copyFileSync(f, join(ROOT, ".wrangler", `crash-last-${i + 1}.log`));
		});
		if (!process.env.CRASH_KEEP_STATE) rmSync(this.dir, { recursive: true, force: true });
		return leaks.length > 0 ? leaks.join("\n") : null;
	}
}
