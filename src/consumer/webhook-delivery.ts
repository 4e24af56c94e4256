/**
 * One `delivery` message: one stored event POSTed to one endpoint, signed per
 * Standard Webhooks. Every attempt is logged (`webhook_deliveries`, and one
 * JSON console line without the secret or the signature). A 2xx acks; a 410
 * disables the endpoint; any other answer, a redirect (never followed), a
 * timeout or a network error retries on the schedule of src/domain/webhooks.ts
 * until it runs out, when the event becomes a dead letter for admins and an
 * endpoint that failed persistently is disabled.
 */
import * as DeadLettersTable from "../d1/dead-letters";
import type { EndpointRow } from "../d1/webhook-endpoints";
import * as Endpoints from "../d1/webhook-endpoints";
import type { EventRow } from "../d1/webhook-log";
import * as WebhookLog from "../d1/webhook-log";
import * as Redeliveries from "../d1/webhook-redeliveries";
import { redeliveryLeaseUntil } from "../domain/redelivery";
import { checkWebhookUrl } from "../domain/ssrf";
import {
	type AttemptOutcome,
	nextDelaySeconds,
	outcomeOfStatus,
	persistentlyFailing,
	retryAfterSeconds,
} from "../domain/webhooks";
import { errorField, logEvent } from "../lib/log";
import { openWebhookSecret } from "../lib/seal";
import { signatureHeader } from "../lib/webhook-sign";
import type { WebhookDeliveryMessage } from "../queues/webhook-deliveries";

/** Receivers get 15 s to answer (the whole exchange, headers and the first bytes). */
export const DELIVERY_TIMEOUT_MS = 15_000;
/** How much of an answer (or error) the delivery log keeps. */
export const EXCERPT_BYTES = 256;
export const GONE_REASON = "The endpoint answered 410 Gone.";

/** What one POST came to. `retryAfter` in seconds, when the receiver sent one. */
interface Attempt {
	outcome: AttemptOutcome | "refused";
	status: number | null;
	latencyMs: number | null;
	excerpt: string | null;
	retryAfter: number | null;
}

/** The first EXCERPT_BYTES of a body as text; the rest is never read. */
async function excerptOf(res: Response): Promise<string> {
	if (!res.body) return "";
	const reader = res.body.getReader();
	const chunks: Uint8Array[] = [];
	let length = 0;
	while (length < EXCERPT_BYTES) {
		const { done, value } = await reader.read();
		if (done) break;
		chunks.push(value);
		length += value.byteLength;
	}
	reader.cancel().catch(() => {});
	const bytes = new Uint8Array(Math.min(length, EXCERPT_BYTES));
	let at = 0;
	for (const c of chunks) {
		const part = c.subarray(0, bytes.length - at);
		bytes.set(part, at);
		at += part.byteLength;
		if (at >= bytes.length) break;
	}
	return new TextDecoder().decode(bytes);
}

/** The secrets that sign now: the current one, and the previous one during its grace period. */
async function signingSecrets(env: Env, endpoint: EndpointRow, nowMs: number): Promise<string[]> {
	const current = await openWebhookSecret(env.LINK_ID_SECRET, endpoint.id, endpoint.secretBox);
	if (!current) throw new Error("the endpoint's signing secret could not be opened");
	const secrets = [current];
	if (
		endpoint.previousSecretBox &&
		endpoint.previousUntil &&
		Date.parse(endpoint.previousUntil) > nowMs
	) {
		const previous = await openWebhookSecret(
			env.LINK_ID_SECRET,
			endpoint.id,
			endpoint.previousSecretBox,
		);
		if (previous) secrets.push(previous);
	}
	return secrets;
}

/** Signs and POSTs the event once; never throws for what the receiver or the network did. */
async function post(env: Env, endpoint: EndpointRow, event: EventRow): Promise<Attempt> {
	const nowMs = Date.now();
	const timestamp = Math.floor(nowMs / 1000);
	const secrets = await signingSecrets(env, endpoint, nowMs);
	const signature = await signatureHeader(secrets, event.id, timestamp, event.payload);
	const started = performance.now();
	try {
		const res = await fetch(endpoint.url, {
			method: "POST",
			headers: {
				"content-type": "application/json",
				"webhook-id": event.id,
				"webhook-timestamp": String(timestamp),
				"webhook-signature": signature,
			},
			body: event.payload,
			redirect: "manual",
			signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
		});
		const latencyMs = Math.round(performance.now() - started);
		return {
			outcome: outcomeOfStatus(res.status),
			status: res.status,
			latencyMs,
			excerpt: await excerptOf(res),
			retryAfter: retryAfterSeconds(res.headers.get("retry-after"), Date.now()),
		};
	} catch (error) {
		const timedOut = error instanceof Error && error.name === "TimeoutError";
		return {
			outcome: "failed",
			status: null,
			latencyMs: Math.round(performance.now() - started),
			excerpt: timedOut
				? `timed out after ${DELIVERY_TIMEOUT_MS / 1000} s`
				: String(error).slice(0, EXCERPT_BYTES),
			retryAfter: null,
		};
	}
}

function logAttempt(
	endpointId: string,
	eventId: string,
	attempt: number,
	a: Pick<Attempt, "outcome" | "status" | "latencyMs">,
) {
	logEvent("webhook.attempt", {
		endpointId,
		eventId,
		attempt,
		outcome: a.outcome,
		status: a.status,
		durationMs: a.latencyMs,
	});
}

/** Why an attempt failed, for the dead letter and the endpoint's reason. */
function failureText(a: Attempt): string {
	const what = a.status === null ? (a.excerpt ?? "no answer") : `HTTP ${a.status}`;
	return what.slice(0, 200);
}

/**
 * Delivers `body.eventId` to `body.endpointId` once and acks or retries the
 * message; a redelivery's stays pending while it retries and ends with its
 * schedule. Storage failures throw; the caller retries the message.
 */
export async function deliver(
	env: Env,
	queue: string,
	msg: Message<unknown>,
	body: WebhookDeliveryMessage,
): Promise<void> {
	const delay = await attemptOnce(env, queue, msg, body);
	if (body.redeliveryId) await keepPending(env.DB, body, body.redeliveryId, delay);
	if (delay === null) msg.ack();
	else msg.retry({ delaySeconds: delay });
}

/**
 * A redelivery's pending row: until past its next attempt while it retries,
 * gone once its schedule is over. Best effort: a failure here must not send
 * the event again; the row's lease runs out instead.
 */
async function keepPending(
	db: D1Database,
	body: WebhookDeliveryMessage,
	redeliveryId: string,
	delay: number | null,
): Promise<void> {
	try {
		if (delay === null) await Redeliveries.end(db, body.endpointId, body.eventId, redeliveryId);
		else
			await Redeliveries.extend(
				db,
				body.endpointId,
				body.eventId,
				redeliveryId,
				redeliveryLeaseUntil(Date.now(), delay),
			);
	} catch (error) {
		logEvent(
			"webhook.redelivery-not-updated",
			{ redeliveryId, eventId: body.eventId, error: errorField(error) },
			"warn",
		);
	}
}

/**
 * One attempt: answers the delay before the next one, or null when the
 * schedule is over (delivered, gone, refused, nothing to send, or out of
 * attempts: a dead letter).
 */
async function attemptOnce(
	env: Env,
	queue: string,
	msg: Message<unknown>,
	body: WebhookDeliveryMessage,
): Promise<number | null> {
	const db = env.DB;
	const [event, endpoint] = await Promise.all([
		WebhookLog.getEvent(db, body.eventId),
		Endpoints.get(db, body.endpointId),
	]);
	if (!event || !endpoint?.enabled || endpoint.ownerId !== event.ownerId) {
		// Deleted or disabled since the fan-out (or never ours): nothing to send.
		logEvent("webhook.skipped", { endpointId: body.endpointId, eventId: body.eventId });
		return null;
	}
	const attempt = msg.attempts;
	const now = () => new Date().toISOString();

	const check = checkWebhookUrl(endpoint.url, {
		allowHttpLoopback: String(env.WEBHOOK_ALLOW_HTTP_LOOPBACK) === "1",
	});
	if (!check.ok) {
		const refused: Attempt = {
			outcome: "refused",
			status: null,
			latencyMs: null,
			excerpt: `URL refused: ${check.reason}`.slice(0, EXCERPT_BYTES),
			retryAfter: null,
		};
		await record(db, endpoint.id, event.id, attempt, refused, null);
		await Endpoints.disable(db, endpoint.id, `The URL was refused: ${check.reason}`, now());
		return null;
	}

	const result = await post(env, endpoint, event);
	if (result.outcome === "delivered") {
		await record(db, endpoint.id, event.id, attempt, result, null);
		await Endpoints.markDelivered(db, endpoint.id, now());
		return null;
	}
	if (result.outcome === "gone") {
		await record(db, endpoint.id, event.id, attempt, result, null);
		await Endpoints.disable(db, endpoint.id, GONE_REASON, now());
		return null;
	}
	const delay = nextDelaySeconds(attempt, Math.random(), result.retryAfter);
	await record(db, endpoint.id, event.id, attempt, result, delay);
	const failures = await Endpoints.markFailed(db, endpoint.id, now());
	if (delay !== null) return delay;
	// The schedule ran out: admins see the event with the other dead letters.
	const lastError = `Webhook ${event.id} (${event.type}) to ${endpoint.id} failed ${attempt} times; last: ${failureText(result)}`;
	await DeadLettersTable.recordWebhook(db, {
		messageId: msg.id,
		queue,
		linkId: event.linkId,
		body: msg.body,
		attempts: attempt,
		lastError,
	});
	const lastDelivered = await WebhookLog.lastDeliveredAt(db, endpoint.id);
	if (persistentlyFailing({ ...endpoint, failures }, lastDelivered, Date.now())) {
		await Endpoints.disable(
			db,
			endpoint.id,
			`Deliveries failed ${failures} times in a row and none succeeded for 24 hours (last: ${failureText(result)}).`,
			now(),
		);
	}
	return null;
}

async function record(
	db: D1Database,
	endpointId: string,
	eventId: string,
	attempt: number,
	a: Attempt,
	delaySeconds: number | null,
): Promise<void> {
	logAttempt(endpointId, eventId, attempt, a);
	await WebhookLog.recordAttempt(db, {
		endpointId,
		eventId,
		attempt,
		outcome: a.outcome,
		status: a.status,
		latencyMs: a.latencyMs,
		responseExcerpt: a.excerpt,
		nextAttemptAt:
			delaySeconds === null ? null : new Date(Date.now() + delaySeconds * 1000).toISOString(),
	});
}
