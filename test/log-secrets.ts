/**
 * Finds capability secrets in log lines. Every test file's console output is
 * captured (test/setup/capture-logs.ts) and checked with this after the file
 * runs: no link secret, upload token, API key, Retry-Token, admin token,
 * signing secret or password may ever be written to a log.
 */
import { env } from "cloudflare:workers";
import { secretsIn } from "./secret-patterns";

/** What in `lines` looks like a secret: `[kind, line]` pairs (empty when clean). */
export function findSecrets(lines: readonly string[]): [string, string][] {
	return secretsIn(lines, [
		["the admin token", env.ADMIN_TOKEN],
		["the Retry-Token signing secret", env.RETRY_TOKEN_SECRET],
		["the link id signing secret", env.LINK_ID_SECRET],
	]);
}

/** One console call as text: strings as they are, errors with their stack, objects as JSON. */
export function formatLogArgs(args: readonly unknown[]): string {
	return args
		.map((a) => {
			if (typeof a === "string") return a;
			if (a instanceof Error) return `${a.name}: ${a.message}\n${a.stack ?? ""}`;
			try {
				return JSON.stringify(a) ?? String(a);
			} catch {
				return String(a);
			}
		})
		.join(" ");
}

interface Capture {
	lines: string[];
}

/** The console output captured in this isolate since the setup file ran. */
export function capturedLogs(): Capture {
	const holder = globalThis as { __receiveLinksLogs?: Capture };
	if (!holder.__receiveLinksLogs) {
		const capture: Capture = { lines: [] };
		holder.__receiveLinksLogs = capture;
		for (const level of ["log", "info", "warn", "error", "debug"] as const) {
			const original = console[level].bind(console);
			console[level] = (...args: unknown[]) => {
				capture.lines.push(formatLogArgs(args));
				original(...args);
			};
		}
	}
	return holder.__receiveLinksLogs;
}
