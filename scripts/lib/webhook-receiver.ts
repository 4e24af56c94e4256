/**
 * A real webhook receiver for the end-to-end tests: an HTTP server on
 * loopback that records every delivery, verifies its signature with the
 * reference `standardwebhooks` library against the secrets it is told, and
 * answers as each test scripts it (fail the first attempts, 410, be slow).
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface Delivery {
	path: string;
	id: string;
	timestamp: string;
	signature: string;
	body: string;
	/** Which of the receiver's secrets verified it (-1: none). */
	verifiedBy: number;
	receivedAt: number;
}

/** How a path answers its n-th delivery (1-based): status, optional delay and headers. */
export type Script = (n: number) => {
	status: number;
	delayMs?: number;
	headers?: Record<string, string>;
};

export interface Receiver {
	url(path: string): string;
	/** Deliveries to `path`, in arrival order. */
	deliveries(path: string): Delivery[];
	/** Secrets (whsec_…) the signatures of `path` are checked against. */
	trust(path: string, ...secrets: string[]): void;
	script(path: string, script: Script): void;
	/** Resolves once `path` has `count` deliveries (rejects after `timeoutMs`). */
	waitFor(path: string, count: number, timeoutMs?: number): Promise<Delivery[]>;
	close(): Promise<void>;
}

const body = (req: IncomingMessage) =>
	new Promise<string>((resolve, reject) => {
		let s = "";
		req.setEncoding("utf8");
		req.on("data", (d: string) => {
			s += d;
		});
		req.on("end", () => resolve(s));
		req.on("error", reject);
	});

export async function startReceiver(): Promise<Receiver> {
	const log = new Map<string, Delivery[]>();
	const secrets = new Map<string, string[]>();
	const scripts = new Map<string, Script>();
	const server: Server = createServer(async (req, res) => {
		const path = req.url ?? "/";
		const text = await body(req);
		const headers = {
			"webhook-id": String(req.headers["webhook-id"] ?? ""),
			"webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
			"webhook-signature": String(req.headers["webhook-signature"] ?? ""),
		};
		const verifiedBy = (secrets.get(path) ?? []).findIndex((secret) => {
			try {
				new Webhook(secret).verify(text, headers);
				return true;
			} catch {
				return false;
			}
		});
		const list = log.get(path) ?? [];
		list.push({
			path,
			id: headers["webhook-id"],
			timestamp: headers["webhook-timestamp"],
			signature: headers["webhook-signature"],
			body: text,
			verifiedBy,
			receivedAt: Date.now(),
		});
		log.set(path, list);
		const answer = scripts.get(path)?.(list.length) ?? { status: 204 };
		if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
		if (res.destroyed) return;
		res.writeHead(answer.status, answer.headers ?? {});
		res.end(answer.status === 204 ? undefined : `status ${answer.status}`);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const port = (server.address() as AddressInfo).port;
	return {
		url: (path) => `http://127.0.0.1:${port}${path}`,
		deliveries: (path) => [...(log.get(path) ?? [])],
		trust: (path, ...s) => secrets.set(path, s),
		script: (path, s) => scripts.set(path, s),
		async waitFor(path, count, timeoutMs = 30_000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const got = log.get(path) ?? [];
				if (got.length >= count) return [...got];
				if (Date.now() > deadline)
					throw new Error(`${path}: ${got.length} of ${count} deliveries after ${timeoutMs} ms`);
				await new Promise((r) => setTimeout(r, 100));
			}
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
