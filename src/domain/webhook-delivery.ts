/**
 * Which endpoints get an event, and what one delivery attempt comes to
 * (docs/webhooks.md "How an event travels", "Retry schedule", "What disables
 * an endpoint"). The consumer (src/consumer/webhooks.ts, fan-out, and
 * src/consumer/webhook-delivery.ts, one attempt) reads the rows, POSTs, and
 * carries out what these answer. Pure: the clock and the jitter's random
 * number are parameters.
 */
import { WEBHOOK_TEST_EVENT_TYPE } from "../contract/enums";
import {
	nextDelaySeconds,
	outcomeOfStatus,
	persistentlyFailing,
	retryAfterSeconds,
} from "./webhooks";

/** Whether an endpoint takes events of `type`: it names the type, or names none (every type). */
export function takesType(eventTypes: readonly string[], type: string): boolean {
	return eventTypes.length === 0 || eventTypes.includes(type);
}

/**
 * Whether `endpoint` gets `event`. At every stage it must be the event's
 * owner's and enabled. At the fan-out, besides: a test event goes only to
 * the endpoint it was sent for (`onlyEndpointId`), whatever its event types,
 * and any other event to an endpoint that takes its type. At delivery the
 * endpoint was chosen already (by the fan-out, a redelivery or an admin's
 * replay), so only the first rule is judged again: an endpoint disabled or
 * deleted since then gets nothing, one whose types changed still gets it.
 */
export function receivesEvent(
	endpoint: { id: string; ownerId: string; enabled: boolean; eventTypes: readonly string[] },
	event: { ownerId: string; type: string; onlyEndpointId?: string | undefined },
	at: "fan-out" | "delivery",
): boolean {
	if (!endpoint.enabled || endpoint.ownerId !== event.ownerId) return false;
	if (at === "delivery") return true;
	if (event.onlyEndpointId !== undefined) return endpoint.id === event.onlyEndpointId;
	return event.type !== WEBHOOK_TEST_EVENT_TYPE && takesType(endpoint.eventTypes, event.type);
}

/** The `disabledReason` of an endpoint that answered 410. */
export const GONE_REASON = "The endpoint answered 410 Gone.";

/** How much of a failure the dead letter and the endpoint's reason keep. */
const FAILURE_CHARS = 200;

/** What one attempt came to, as the consumer saw it. */
export type DeliveryAnswer =
	/** The URL guard refused the endpoint's URL at this attempt: nothing was sent. */
	| { kind: "refused"; reason: string }
	/** The receiver answered `status` (a redirect too: never followed), maybe with a `Retry-After`. */
	| { kind: "answered"; status: number; retryAfter: string | null }
	/** No answer: a timeout or a network error, in words. */
	| { kind: "no-answer"; error: string };

/** One delivery attempt: its number (1-based, the message's `attempts`) and what it carries. */
export interface DeliveryAttempt {
	number: number;
	eventId: string;
	eventType: string;
	/** In [0, 1): picks the retry delay's jitter. */
	random: number;
}

/**
 * What the consumer does after an attempt. Each is logged with its
 * `outcome`; `retry` and `give-up` also count one more consecutive failure
 * of the endpoint.
 */
export type DeliveryDecision =
	/** Record the success; the endpoint's failure count starts again. */
	| { kind: "delivered"; outcome: "delivered" }
	/** Disable the endpoint with `reason` (410 Gone, or its URL refused). */
	| { kind: "disable"; outcome: "gone" | "refused"; reason: string }
	/** Try again in `delaySeconds` (the schedule, or a longer `Retry-After`). */
	| { kind: "retry"; outcome: "failed"; delaySeconds: number; failure: string }
	/**
	 * The schedule ran out: the event becomes a dead letter with `lastError`;
	 * then `persistentFailureReason` says whether the endpoint is disabled too.
	 */
	| { kind: "give-up"; outcome: "failed"; lastError: string; failure: string };

/** A failed attempt in a few words: the status, or what happened instead of one. */
function failureOf(answer: Exclude<DeliveryAnswer, { kind: "refused" }>): string {
	const what = answer.kind === "answered" ? `HTTP ${answer.status}` : answer.error;
	return what.slice(0, FAILURE_CHARS);
}

/**
 * What attempt `attempt` to `endpoint` comes to, given the `answer` at
 * `nowMs`: any 2xx is delivered; 410 disables the endpoint, and so does a URL
 * refused at delivery; anything else (another status, a redirect, a timeout,
 * a network error) is retried on the schedule, a `Retry-After` (seconds or an
 * HTTP date) honoured when it asks for longer, until the schedule runs out
 * after attempt 8 and the consumer gives up.
 */
export function decideDelivery(
	attempt: DeliveryAttempt,
	endpoint: { id: string },
	nowMs: number,
	answer: DeliveryAnswer,
): DeliveryDecision {
	if (answer.kind === "refused")
		return { kind: "disable", outcome: "refused", reason: `The URL was refused: ${answer.reason}` };
	if (answer.kind === "answered") {
		const outcome = outcomeOfStatus(answer.status);
		if (outcome === "delivered") return { kind: "delivered", outcome };
		if (outcome === "gone") return { kind: "disable", outcome, reason: GONE_REASON };
	}
	const retryAfter =
		answer.kind === "answered" ? retryAfterSeconds(answer.retryAfter, nowMs) : null;
	const delaySeconds = nextDelaySeconds(attempt.number, attempt.random, retryAfter);
	const failure = failureOf(answer);
	if (delaySeconds !== null) return { kind: "retry", outcome: "failed", delaySeconds, failure };
	return {
		kind: "give-up",
		outcome: "failed",
		failure,
		lastError: `Webhook ${attempt.eventId} (${attempt.eventType}) to ${endpoint.id} failed ${attempt.number} times; last: ${failure}`,
	};
}

/**
 * After a give-up: why the endpoint is disabled too, or null when it stays
 * enabled. Disabled when it failed persistently (`persistentlyFailing`:
 * `failures` in a row, counting this one, and nothing delivered for 24 hours).
 */
export function persistentFailureReason(
	endpoint: { failures: number; createdAt: string },
	lastDeliveredAt: string | null,
	nowMs: number,
	failure: string,
): string | null {
	if (!persistentlyFailing(endpoint, lastDeliveredAt, nowMs)) return null;
	return `Deliveries failed ${endpoint.failures} times in a row and none succeeded for 24 hours (last: ${failure}).`;
}
