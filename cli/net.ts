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
	/**
	 * Told the bytes of a request's file body (a part, a single upload) handed
	 * to the connection so far, and `finished` once its answer came or it
	 * failed: progress within a part. `request` names one attempt.
	 */
	onBody?: (request: object, sent: number, finished: boolean) => void;
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
			const request = {};
			const withBody: RequestInit =
				init.body instanceof Blob && options.onBody ? counted(init, request, options.onBody) : init;
			try {
				return await fetch(input, { ...withBody, signal: options.signal });
			} catch (error) {
				if (withBody !== init) options.onBody?.(request, 0, true);
				if (options.signal.aborted) throw new InterruptedError("interrupted");
				const cause = causeOf(error);
				if (attempt >= retries)
					throw new ConnectionLostError(
						`connection to ${new URL(input).origin} failed ${attempt + 1} times (${cause})`,
					);
				const waitMs = 500 * 2 ** attempt;
				options.onRetry?.(attempt + 1, waitMs, cause);
				await sleep(waitMs, options.signal);
			} finally {
				if (withBody !== init) options.onBody?.(request, 0, true);
			}
		}
	};
}

/**
 * The request with its Blob body as a stream that counts what is read from
 * it. `Content-Length` is set from the Blob, so the service still sees a body
 * of declared length (undici sends a stream with a given length as is).
 */
function counted(
	init: RequestInit,
	request: object,
	onBody: NonNullable<NetOptions["onBody"]>,
): RequestInit & { duplex: "half" } {
	const blob = init.body as Blob;
	const reader = blob.stream().getReader();
	let sent = 0;
	const body = new ReadableStream<Uint8Array>({
		async pull(controller) {
			const chunk = await reader.read();
			if (chunk.done) return controller.close();
			sent += chunk.value.byteLength;
			onBody(request, sent, false);
			controller.enqueue(chunk.value);
		},
		cancel: (reason) => reader.cancel(reason),
	});
	const headers = new Headers(init.headers);
	headers.set("Content-Length", String(blob.size));
	return { ...init, headers, body, duplex: "half" };
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
