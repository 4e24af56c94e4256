/**
 * The CLI's `fetch`: every request carries the run's AbortSignal (Ctrl-C
 * stops requests in flight) and a request that fails before any answer (a
 * refused or dropped connection) is sent again with backoff. Every request
 * the clients make may be repeated: parts and single bodies are PUTs, init
 * carries an Idempotency-Key, complete and finalize answer the same again.
 */
import { ConnectionLostError, InterruptedError } from "./exit.ts";

export interface NetOptions {
	signal: AbortSignal;
	/** Retries after a failed connection (default 5: waits 0.5, 1, 2, 4, 8 s). */
	retries?: number;
	/** Told before each retry (for a visible message). */
	onRetry?: (attempt: number, waitMs: number, cause: string) => void;
	sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** A sleep that ends early (rejecting) when the run is interrupted. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal.aborted) return reject(new InterruptedError("interrupted"));
		const timer = setTimeout(() => {
			signal.removeEventListener("abort", onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(new InterruptedError("interrupted"));
		};
		signal.addEventListener("abort", onAbort, { once: true });
	});
}

export function retryingFetch(options: NetOptions): Fetch {
	const retries = options.retries ?? 5;
	const sleep = options.sleep ?? abortableSleep;
	return async (input, init = {}) => {
		for (let attempt = 0; ; attempt++) {
			if (options.signal.aborted) throw new InterruptedError("interrupted");
			try {
				return await fetch(input, { ...init, signal: options.signal });
			} catch (error) {
				if (options.signal.aborted) throw new InterruptedError("interrupted");
				const cause = causeOf(error);
				if (attempt >= retries)
					throw new ConnectionLostError(
						`connection to ${new URL(input).origin} failed ${attempt + 1} times (${cause})`,
					);
				const waitMs = 500 * 2 ** attempt;
				options.onRetry?.(attempt + 1, waitMs, cause);
				await sleep(waitMs, options.signal);
			}
		}
	};
}

/** undici's "fetch failed" hides the reason in `cause` (ECONNREFUSED, UND_ERR_SOCKET...). */
function causeOf(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	const cause = error.cause;
	if (cause instanceof Error) {
		const code = (cause as Error & { code?: string }).code;
		return code ? `${code}: ${cause.message}` : cause.message;
	}
	return error.message;
}
