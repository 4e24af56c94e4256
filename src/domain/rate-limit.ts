/**
 * Fixed-window rate limits (docs/webhooks.md "Redelivery and test events"):
 * requests are counted per window of `windowMs` that starts at a multiple of
 * it; a request that makes the count exceed the limit waits until the window
 * ends. Pure: the count comes from the store (src/d1/rate-limits.ts), the
 * clock is a parameter.
 */

/** The start (epoch ms) of the window `nowMs` falls in. */
export function windowStartOf(nowMs: number, windowMs: number): number {
	return nowMs - (nowMs % windowMs);
}

/**
 * Whole seconds a request must wait when it made the window's count
 * `count`: 0 while `count` is within `limit`, else until the window that
 * started at `windowStart` ends (at least 1).
 */
export function rateLimitWaitSeconds(
	counted: { count: number; windowStart: number },
	limit: number,
	windowMs: number,
	nowMs: number,
): number {
	if (counted.count <= limit) return 0;
	return Math.max(1, Math.ceil((counted.windowStart + windowMs - nowMs) / 1000));
}
