/**
 * Helpers of the CLI's end-to-end tests: the real `receive-links` run as a
 * child process (Node 22, the vitest process's own `process.execPath`), its
 * output read line by line, and an HTTP proxy in front of the service that
 * holds chosen requests until the test lets them through (so an interrupt or
 * a revoke lands at a known part, without timing).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(ROOT, "cli", "receive-links.ts");

export interface CliRun {
	child: ChildProcess;
	/** Resolves when the process has exited (never rejects). */
	done: Promise<{ code: number | null; stdout: string; stderr: string }>;
	/** Resolves with the first stdout or stderr line that `test` accepts. */
	line(test: (line: string) => boolean): Promise<string>;
	/** `--json` events so far (stdout lines parsed). */
	events(): Record<string, unknown>[];
}

/** A temporary folder of this test run. */
export function tempDir(prefix = "cli-"): string {
	return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts `receive-links <args>` with `env` on top of a clean environment (no inherited credentials). */
export function startCli(args: string[], env: Record<string, string> = {}): CliRun {
	const child = spawn(process.execPath, [CLI, ...args], {
		cwd: ROOT,
		env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
		stdio: ["ignore", "pipe", "pipe"],
	});
	let stdout = "";
	let stderr = "";
	const waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
	const seen: string[] = [];
	const feed = (chunk: string, previous: string) => {
		const start = previous.lastIndexOf("\n") + 1;
		const text = previous.slice(start) + chunk;
		const lines = text.split("\n").slice(0, -1);
		for (const l of lines) {
			seen.push(l);
			for (const w of [...waiters])
				if (w.test(l)) {
					waiters.splice(waiters.indexOf(w), 1);
					w.resolve(l);
				}
		}
	};
	child.stdout?.setEncoding("utf8").on("data", (c: string) => {
		feed(c, stdout);
		stdout += c;
	});
	child.stderr?.setEncoding("utf8").on("data", (c: string) => {
		feed(c, stderr);
		stderr += c;
	});
	const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
		child.on("close", (code) => resolve({ code, stdout, stderr })),
	);
	return {
		child,
		done,
		line: (test) => {
			const found = seen.find(test);
			if (found !== undefined) return Promise.resolve(found);
			return new Promise((resolve, reject) => {
				waiters.push({ test, resolve });
				void done.then((r) =>
					reject(new Error(`exited ${r.code} first:\n${r.stdout}\n${r.stderr}`)),
				);
			});
		},
		events: () =>
			stdout
				.split("\n")
				.filter((l) => l.startsWith("{"))
				.map((l) => JSON.parse(l) as Record<string, unknown>),
	};
}

/** Runs `receive-links <args>` to its end. */
export function cli(args: string[], env: Record<string, string> = {}) {
	return startCli(args, env).done;
}

export interface GateProxy {
	/** `http://127.0.0.1:<port>`: the service through the proxy. */
	base: string;
	/**
	 * Holds the next request whose method and path `test` accepts: resolves
	 * when it arrives, with `release()` (forward it) and `drop()` (never).
	 */
	hold(test: (method: string, path: string) => boolean): Promise<{ release(): void }>;
	close(): Promise<void>;
}

/** An HTTP proxy to `target` that can hold a chosen request (its body buffered) until released. */
export async function gateProxy(target: string): Promise<GateProxy> {
	const upstream = new URL(target);
	const gates: {
		test: (m: string, p: string) => boolean;
		arrived: (g: { release(): void }) => void;
	}[] = [];
	const server = createServer((req, res) => {
		const forward = () => {
			const out = request(
				{
					host: upstream.hostname,
					port: upstream.port,
					method: req.method,
					path: req.url,
					headers: req.headers,
				},
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			out.on("error", () => res.destroy());
			req.pipe(out);
		};
		const gate = gates.find((g) => g.test(req.method ?? "", req.url ?? ""));
		if (!gate) return forward();
		gates.splice(gates.indexOf(gate), 1);
		req.pause();
		gate.arrived({
			release: () => {
				if (!req.destroyed) {
					req.resume();
					forward();
				}
			},
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const { port } = server.address() as AddressInfo;
	return {
		base: `http://127.0.0.1:${port}`,
		hold: (test) => new Promise((arrived) => gates.push({ test, arrived })),
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

/** The upload URL with another origin (the proxy's), same link and secret. */
export function through(base: string, uploadUrl: string): string {
	const u = new URL(uploadUrl);
	return `${base}${u.pathname}${u.hash}`;
}
