/**
 * Finds capability secrets in log lines. Every test file's console output is
 * captured (test/setup/capture-logs.ts) and checked with this after the file
 * runs: no link secret, upload token, API key, Retry-Token, admin token,
 * signing secret or password may ever be written to a log.
 */
import { env } from "cloudflare:workers";

/** Passwords the tests use (a log line must never carry one). */
const TEST_PASSWORDS = ["s3cret-Passphrase!", "correct horse battery", "wrong-password"];

const PATTERNS: [string, RegExp][] = [
	// Link secrets and upload tokens: 32 random bytes, 43 base64url characters.
	["a link secret or upload token", /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/],
	["an owner API key", /rlk_[A-Za-z0-9_-]{16,}/],
	["a Retry-Token", /rt1\.cmd_[0-9a-z]+\.[0-9]+\./],
	["a stored password hash", /pbkdf2-sha256\$/],
];

/** What in `lines` looks like a secret: `[kind, line]` pairs (empty when clean). */
export function findSecrets(lines: readonly string[]): [string, string][] {
	const literals: [string, string][] = [
		["the admin token", env.ADMIN_TOKEN],
		["the Retry-Token signing secret", env.RETRY_TOKEN_SECRET],
		["the link id signing secret", env.LINK_ID_SECRET],
		...TEST_PASSWORDS.map((p): [string, string] => ["a password", p]),
	];
	const found: [string, string][] = [];
	for (const line of lines) {
		for (const [kind, pattern] of PATTERNS) if (pattern.test(line)) found.push([kind, line]);
		for (const [kind, value] of literals)
			if (value && line.includes(value)) found.push([kind, line]);
	}
	return found;
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
