/**
 * Exit codes of `receive-links` and the one place that turns an error into
 * words and a code (docs/cli.md, "Exit codes").
 */
import { LinkGoneError, ReceiveLinkError } from "../src/client/index.ts";

export const EXIT = {
	ok: 0,
	/** Anything else: an unexpected answer, a wait that timed out, a finalize that did not succeed. */
	failure: 1,
	/** Bad arguments or environment (commander's own usage errors exit 2 too). */
	usage: 2,
	/** The link is gone for good (410: revoked, expired, deleted). */
	gone: 3,
	/** The service refused (a 4xx problem: too large, type not accepted, wrong password...). */
	refused: 4,
	/** The connection dropped and stayed down after the retries; rerunning resumes. */
	network: 5,
	/** Interrupted (Ctrl-C); rerunning resumes. */
	interrupted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports with its own words and exit code. */
export class CliError extends Error {
	readonly exitCode: ExitCode;
	constructor(message: string, exitCode: ExitCode) {
		super(message);
		this.name = "CliError";
		this.exitCode = exitCode;
	}
}

/** The connection failed `attempts` times in a row (see net.ts). */
export class ConnectionLostError extends Error {
	override name = "ConnectionLostError";
}

/** Ctrl-C (SIGINT) or SIGTERM stopped the run. */
export class InterruptedError extends Error {
	override name = "InterruptedError";
}

export interface Described {
	exitCode: ExitCode;
	/** One line for a human: the problem's title and detail. */
	message: string;
	/** The problem fields for `--json`. */
	problem?: { status: number; code: string; title: string; detail: string };
}

/** The exit code and words of any error the commands throw. */
export function explain(error: unknown): Described {
	if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message };
	if (error instanceof InterruptedError)
		return { exitCode: EXIT.interrupted, message: error.message };
	if (error instanceof ConnectionLostError)
		return { exitCode: EXIT.network, message: error.message };
	if (error instanceof ReceiveLinkError) {
		const p = error.problem;
		const problem = { status: p.status, code: p.code, title: p.title, detail: p.detail };
		const words = p.detail && p.detail !== p.title ? `${p.title}: ${p.detail}` : p.title;
		const message = `${words} (${p.status} ${p.code})`;
		if (error instanceof LinkGoneError || p.status === 410)
			return { exitCode: EXIT.gone, message, problem };
		if (p.status === 401 && p.code === "unauthorized")
			return { exitCode: EXIT.usage, message: `${message}; check the API key`, problem };
		// A 423 still answered after the client's wait (10 minutes) is not a refusal.
		if (p.status === 423) return { exitCode: EXIT.failure, message, problem };
		if (p.status >= 400 && p.status < 500) return { exitCode: EXIT.refused, message, problem };
		return { exitCode: EXIT.failure, message, problem };
	}
	return {
		exitCode: EXIT.failure,
		message: error instanceof Error ? error.message : String(error),
	};
}
