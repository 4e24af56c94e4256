// The bench's HTTP client: node:http over keep-alive loopback connections, one
// pool per target, bodies sent from memory with Content-Length. Both Workers
// are driven by this same code; only the URLs differ.
import http from "node:http";

const agents = new Map();

function agentFor(origin) {
	let agent = agents.get(origin);
	if (!agent) {
		agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });
		agents.set(origin, agent);
	}
	return agent;
}

export function closeAgents() {
	for (const agent of agents.values()) agent.destroy();
	agents.clear();
}

/**
 * One request. Resolves with { status, headers, body (Buffer), ms } where ms
 * runs from the call to the last byte of the answer.
 */
export function request(method, url, { headers = {}, body, timeoutMs = 120_000 } = {}) {
	const u = new URL(url);
	const payload =
		body === undefined ? undefined : typeof body === "string" ? Buffer.from(body) : body;
	const h = { ...headers };
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
				const chunks = [];
				res.on("data", (c) => chunks.push(c));
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

/** A request whose status must be in `ok`; returns the parsed JSON body (or null). */
export async function call(method, url, { expect = [200], ...options } = {}) {
	const res = await request(method, url, options);
	const text = res.body.toString("utf8");
	let json = null;
	try {
		json = text ? JSON.parse(text) : null;
	} catch {
		json = null;
	}
	if (!expect.includes(res.status)) {
		throw new Error(`${method} ${url} -> ${res.status} ${text.slice(0, 400)}`);
	}
	return { ...res, json };
}

/** `do;desc="N calls";dur=X` from Server-Timing: { calls, ms }, or null. */
export function doTiming(headers) {
	const raw = headers["server-timing"];
	const text = Array.isArray(raw) ? raw.join(", ") : (raw ?? "");
	const m = /do;desc="(\d+) calls";dur=([\d.]+)/.exec(text);
	return m ? { calls: Number(m[1]), ms: Number(m[2]) } : null;
}

/**
 * Closed-loop load: `concurrency` workers take tasks (async functions that
 * make one request each and return its result) until none are left.
 * Returns { results, wallMs }.
 */
export async function closedLoop(concurrency, tasks) {
	const results = new Array(tasks.length);
	let next = 0;
	const started = performance.now();
	const worker = async () => {
		for (;;) {
			const i = next++;
			if (i >= tasks.length) return;
			results[i] = await tasks[i]();
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
	return { results, wallMs: performance.now() - started };
}
