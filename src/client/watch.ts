/**
 * One way to follow something until it settles: a command until its final
 * status, a paused link until it reopens. Every status poll of the project
 * goes through `watch()` (the typed clients' `waitForCommand`, so the CLI's
 * `--wait` too; the uploader page; the dashboard's and console's live command
 * badge), so they share one backoff policy (docs/web.md, "Following a
 * status"):
 *
 * - the wait after look `n` is `firstMs · 2ⁿ`, at most `capMs`, less up to
 *   20 % at random (jitter: watchers that started together drift apart; the
 *   cap stays a cap);
 * - `Retry-After` is honoured: on a state that is not settled yet it is the
 *   server's polling interval, so the watch never waits longer than it (a
 *   command usually applies within tens of milliseconds, docs/commands.md
 *   "Latency": the first looks come sooner); on a refusal (423, 429, 503) it
 *   is the time not to come back before, so the watch never comes sooner;
 * - the watch ends on a settled state (`done`), on an answer that says the
 *   thing is gone (404 and 410 unless `gone` says otherwise), after
 *   `timeoutMs`, or when `signal` aborts (rejecting with its reason);
 * - any other failure (another status, no answer) is thrown (`failures:
 *   "throw"`, what a client wants) or waited out (`"retry"`, what a page
 *   wants).
 *
 * Runs wherever `fetch` exists; imports nothing of the Worker.
 */
import { problemOf } from "./problem.ts";

/** How the waits between looks grow. */
export interface Backoff {
	/** The wait after the first look, ms. */
	firstMs: number;
	/** The longest wait, ms: the growth stops there. */
	capMs: number;
}

/** The largest share of a wait that jitter takes off. */
export const JITTER = 0.2;

/** How a watch ended (an abort rejects instead). */
export type WatchEnd<T> =
	/** A state `done` accepted. */
	| { kind: "done"; state: T }
	/** An answer `gone` accepted (its body unread). */
	| { kind: "gone"; response: Response }
	/** `timeoutMs` passed; the last state read, if any. */
	| { kind: "timeout"; state: T | undefined };

export interface WatchOptions<T> {
	/** One look: the request whose answer carries the state (pass `signal` on to `fetch`). */
	request: (signal?: AbortSignal) => Promise<Response>;
	/** The state a 2xx answer carries. */
	read: (res: Response) => Promise<T>;
	/** Whether the watch ends with this state (a command's final status). */
	done: (state: T) => boolean;
	/** Told every state read, in order, the last one included. */
	onState?: (state: T) => void;
	/** Statuses that end the watch as gone (default: 404 and 410). */
	gone?: (status: number) => boolean;
	/** Any other failed answer, or none: thrown (default; a problem as `ReceiveLinkError`) or waited out. */
	failures?: "throw" | "retry";
	/**
	 * States that only a person moves on (a dead-lettered command waits for an
	 * admin): the watch then waits `capMs` between looks, whatever Retry-After says.
	 */
	idle?: (state: T) => boolean;
	backoff: Backoff;
	/** Ends the watch (`timeout`) once this long has passed after a look. */
	timeoutMs?: number;
	/** Aborts the watch: the request in flight and the wait; the watch rejects with its reason. */
	signal?: AbortSignal;
	/** Waits `ms` (tests inject one); the default ends early, rejecting, when `signal` aborts. */
	sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
	/** For the jitter, in [0, 1) (tests inject one). */
	random?: () => number;
	now?: () => number;
}

/** The wait after look `n` (0 for the first): `firstMs · 2ⁿ`, at most `capMs`, less the jitter. */
export function backoffMs(n: number, backoff: Backoff, random: () => number = Math.random): number {
	const grown = Math.min(backoff.capMs, backoff.firstMs * 2 ** Math.min(n, 30));
	return Math.round(grown * (1 - JITTER * random()));
}

/** An answer's `Retry-After` in ms (delay-seconds or an HTTP date), or null when it has none. */
export function retryAfterMs(res: Response, now: number): number | null {
	const header = res.headers.get("retry-after")?.trim();
	if (!header) return null;
	if (/^\d+(\.\d+)?$/.test(header)) return Math.round(Number(header) * 1000);
	const date = Date.parse(header);
	return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** A wait that ends early, rejecting with the signal's reason, when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve, reject) => {
		if (signal?.aborted) return reject(signal.reason);
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener("abort", onAbort);
			resolve();
		}, ms);
		signal?.addEventListener("abort", onAbort, { once: true });
	});
}

const goneByDefault = (status: number) => status === 404 || status === 410;

/** Follows a state until it settles (see the top of this file for the policy). */
export async function watch<T>(options: WatchOptions<T>): Promise<WatchEnd<T>> {
	const { backoff, signal } = options;
	const now = options.now ?? Date.now;
	const random = options.random ?? Math.random;
	const sleep = options.sleep ?? abortableSleep;
	const gone = options.gone ?? goneByDefault;
	const started = now();
	let last: T | undefined;
	for (let n = 0; ; n++) {
		signal?.throwIfAborted();
		let wait = backoffMs(n, backoff, random);
		let res: Response | null = null;
		try {
			res = await options.request(signal);
		} catch (error) {
			signal?.throwIfAborted();
			if (options.failures !== "retry") throw error;
		}
		if (res?.ok) {
			const state = await options.read(res);
			last = state;
			options.onState?.(state);
			if (options.done(state)) return { kind: "done", state };
			const asked = retryAfterMs(res, now());
			if (options.idle?.(state)) wait = backoffMs(Number.POSITIVE_INFINITY, backoff, random);
			else if (asked !== null) wait = Math.min(wait, Math.max(asked, backoff.firstMs));
		} else if (res) {
			if (gone(res.status)) return { kind: "gone", response: res };
			if (options.failures !== "retry") throw await problemOf(res);
			const asked = retryAfterMs(res, now());
			await res.body?.cancel();
			if (asked !== null) wait = Math.max(wait, asked);
		}
		if (options.timeoutMs !== undefined && now() - started > options.timeoutMs)
			return { kind: "timeout", state: last };
		await sleep(wait, signal);
	}
}
