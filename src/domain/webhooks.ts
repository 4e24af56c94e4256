/**
 * Webhook delivery decisions (docs/webhooks.md): the retry schedule, how a
 * `Retry-After` answer moves it, what an answer's status means, and when an
 * endpoint that keeps failing is disabled; how many endpoints an owner may
 * register and how long a rotated secret still signs; how many redeliveries
 * and test events an owner may ask for, and which URLs count as the same
 * endpoint. Who gets an event and what an attempt comes to:
 * ./webhook-delivery.ts.
 * Pure: the clock and the jitter's random number are parameters.
 */

/**
 * Seconds to wait after attempt n (1-based) before attempt n + 1: the
 * Standard Webhooks schedule, attempts at 0, 5 s, 5 min, 30 min, 2 h, 5 h,
 * 10 h and 10 h (about 27.5 hours in all). After attempt 8 there is none.
 */
export const RETRY_SCHEDULE_SECONDS = [
	5,
	5 * 60,
	30 * 60,
	2 * 3600,
	5 * 3600,
	10 * 3600,
	10 * 3600,
];
export const MAX_ATTEMPTS = RETRY_SCHEDULE_SECONDS.length + 1;
/** Each delay is moved by up to ±20 %, so endpoints that fail together do not retry together. */
export const JITTER = 0.2;
/** The longest delay a Cloudflare Queue message may be retried with. */
export const MAX_DELAY_SECONDS = 12 * 3600;
/** An endpoint is disabled when an event ran out of attempts, and it failed at least this often in a row… */
export const DISABLE_AFTER_FAILURES = MAX_ATTEMPTS;
/** …and delivered nothing for this long. */
export const DISABLE_AFTER_SILENCE_MS = 24 * 3600 * 1000;

/**
 * The delay before the next attempt after failed attempt `attempt`, or null
 * when the schedule has run out. `random` in [0, 1) picks the jitter; a
 * longer `retryAfterSeconds` (the receiver's `Retry-After`) wins; the result
 * never exceeds MAX_DELAY_SECONDS.
 */
export function nextDelaySeconds(
	attempt: number,
	random: number,
	retryAfterSeconds: number | null = null,
): number | null {
	const base = RETRY_SCHEDULE_SECONDS[attempt - 1];
	if (base === undefined || attempt < 1) return null;
	const jittered = Math.round(base * (1 - JITTER + 2 * JITTER * random));
	const wanted = Math.max(jittered, retryAfterSeconds ?? 0);
	return Math.min(MAX_DELAY_SECONDS, wanted);
}

/**
 * A `Retry-After` header in seconds: delta-seconds or an HTTP date (RFC 9110
 * section 10.2.3); null when absent or unreadable; never negative.
 */
export function retryAfterSeconds(header: string | null, nowMs: number): number | null {
	if (header === null) return null;
	const text = header.trim();
	if (/^\d+$/.test(text)) return Number(text);
	// HTTP dates are always in GMT (IMF-fixdate and the obsolete forms alike).
	if (!/ GMT$/.test(text)) return null;
	const at = Date.parse(text);
	if (Number.isNaN(at)) return null;
	return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

export type AttemptOutcome = "delivered" | "failed" | "gone";

/** What a receiver's HTTP status means: 2xx delivered, 410 gone, anything else (3xx too) failed. */
export function outcomeOfStatus(status: number): AttemptOutcome {
	if (status >= 200 && status < 300) return "delivered";
	if (status === 410) return "gone";
	return "failed";
}

/**
 * Whether an endpoint is disabled when one of its events ran out of attempts:
 * it failed DISABLE_AFTER_FAILURES times in a row and delivered nothing for
 * 24 hours (never delivered counts from its creation). An endpoint that still
 * accepts other events now and then stays enabled.
 */
export function persistentlyFailing(
	endpoint: { failures: number; createdAt: string },
	lastDeliveredAt: string | null,
	nowMs: number,
): boolean {
	if (endpoint.failures < DISABLE_AFTER_FAILURES) return false;
	const since = Date.parse(lastDeliveredAt ?? endpoint.createdAt);
	return nowMs - since >= DISABLE_AFTER_SILENCE_MS;
}

/** Endpoints one owner may register (checked in the insert, src/d1/webhook-endpoints.ts). */
export const MAX_WEBHOOKS_PER_OWNER = 20;
/** How long the previous secret keeps signing after a rotation, unless the request says. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 86_400;

/** Until when (epoch ms) the secret a rotation at `nowMs` replaces still signs. */
export function previousSecretUntil(
	nowMs: number,
	graceSeconds: number = DEFAULT_ROTATION_GRACE_SECONDS,
): number {
	return nowMs + graceSeconds * 1000;
}

/** Redeliveries and test events an owner may ask for per minute, unless `WEBHOOK_SENDS_PER_MINUTE` says. */
export const DEFAULT_WEBHOOK_SENDS_PER_MINUTE = 30;
export const WEBHOOK_SEND_WINDOW_MS = 60_000;

/** The `WEBHOOK_SENDS_PER_MINUTE` var: a whole number of at least 1, else the default. */
export function webhookSendsPerMinute(value: unknown): number {
	const n = Number(value);
	return typeof value === "string" && Number.isInteger(n) && n >= 1
		? n
		: DEFAULT_WEBHOOK_SENDS_PER_MINUTE;
}

/**
 * The URL as compared for duplicates among an owner's endpoints: the
 * parser's href (scheme and host lower-cased, the default port dropped,
 * addresses and the path written one way), as `checkWebhookUrl` stores it,
 * without the fragment, which is never sent. `url` is an accepted URL.
 */
export function endpointUrlKey(url: string): string {
	const parsed = new URL(url);
	parsed.hash = "";
	return parsed.href;
}
