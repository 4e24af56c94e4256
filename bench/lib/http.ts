// The bench's HTTP client: node:http over keep-alive loopback connections, one
// pool per target, bodies sent from memory with Content-Length. Both Workers
// are driven by this same code; only the URLs differ.
import http, { type IncomingHttpHeaders } from "node:http";

/** An answer read to its last byte; `ms` runs from the call to that byte. */
export interface RawResponse {
	status: number;
	headers: IncomingHttpHeaders;
	body: Buffer;
	ms: number;
}

/** A RawResponse with its body parsed as JSON (null when empty or not JSON). */
export interface JsonResponse<T = unknown> extends RawResponse {
	json: T;
}

export interface RequestOptions {
	headers?: Record<string, string>;
	body?: string | Uint8Array;
	timeoutMs?: number;
}

const agents = new Map<string, http.Agent>();

function agentFor(origin: string): http.Agent {
	let agent = agents.get(origin);
	if (!agent) {
		agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });
		agents.set(origin, agent);
	}
	return agent;
}

export function closeAgents(): void {
	for (const agent of agents.values()) agent.destroy();
	agents.clear();
}

/** One request, resolved once the whole answer has arrived. */
export function request(
	method: string,
	url: string,
	{ headers = {}, body, timeoutMs = 120_000 }: RequestOptions = {},
): Promise<RawResponse> {
	const u = new URL(url);
	const payload = typeof body === "string" ? Buffer.from(body) : body;
	const h: Record<string, string> = { ...headers };
	if (payload !== undefined) h["content-length"] = String(payload.byteLength);
	else if (method !== "GET" && method !== "HEAD") h["content-length"] = "0";
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const req = http.request(
			{
				method,
				host: u.hostname,
				port: u.port,
				path: `${u.pathname}${u.search}`,
				headers: h,
				agent: agentFor(u.origin),
				timeout: timeoutMs,
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on("data", (c: Buffer) => chunks.push(c));
				res.on("end", () =>
					resolve({
						status: res.statusCode ?? 0,
						headers: res.headers,
						body: Buffer.concat(chunks),
						ms: performance.now() - started,
					}),
				);
				res.on("error", reject);
			},
		);
		req.on("timeout", () =>
			req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${url}`)),
		);
		req.on("error", reject);
		req.end(payload);
	});
}

/** The body as JSON, or null when it is empty or not JSON. */
export function parseJson(body: Buffer): unknown {
	const text = body.toString("utf8");
	try {
		return text ? JSON.parse(text) : null;
	} catch {
		return null;
	}
}

/**
 * A request whose status must be in `expect`, with its body parsed as JSON.
 * `T` is what the caller knows the route answers; it is not checked.
 */
export async function call<T = unknown>(
	method: string,
	url: string,
	{ expect = [200], ...options }: RequestOptions & { expect?: number[] } = {},
): Promise<JsonResponse<T>> {
	const res = await request(method, url, options);
	if (!expect.includes(res.status)) {
		throw new Error(`${method} ${url} -> ${res.status} ${res.body.toString("utf8").slice(0, 400)}`);
	}
	return { ...res, json: parseJson(res.body) as T };
}

export interface DoTiming {
	calls: number;
	ms: number;
}

/** `do;desc="N calls";dur=X` from Server-Timing, or null. */
export function doTiming(headers: IncomingHttpHeaders): DoTiming | null {
	const raw = headers["server-timing"];
	const text = Array.isArray(raw) ? raw.join(", ") : (raw ?? "");
	const m = /do;desc="(\d+) calls";dur=([\d.]+)/.exec(text);
	return m ? { calls: Number(m[1]), ms: Number(m[2]) } : null;
}

/**
 * Closed-loop load: `concurrency` workers take tasks (async functions that
 * make one request each and return its result) until none are left.
 */
export async function closedLoop<T>(
	concurrency: number,
	tasks: (() => Promise<T>)[],
): Promise<{ results: T[]; wallMs: number }> {
	const results = new Array<T>(tasks.length);
	let next = 0;
	const started = performance.now();
	const worker = async () => {
		for (;;) {
			const i = next++;
			const task = tasks[i];
			if (task === undefined) return;
			results[i] = await task();
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
	return { results, wallMs: performance.now() - started };
}
