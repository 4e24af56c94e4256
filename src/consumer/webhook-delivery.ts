/**
 * One `delivery` message: one stored event POSTed to one endpoint, signed per
 * Standard Webhooks. What the attempt comes to is decided in
 * src/domain/webhook-delivery.ts (`decideDelivery`); this module reads the
 * rows, POSTs, and carries the decision out: it logs every attempt
 * (`webhook_deliveries`, and one JSON console line without the secret or the
 * signature), acks or retries the message, marks or disables the endpoint,
 * and records the dead letter of an event whose schedule ran out.
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
	type DeliveryAnswer,
	type DeliveryDecision,
	decideDelivery,
	persistentFailureReason,
	receivesEvent,
} from "../domain/webhook-delivery";
import { errorField, logEvent } from "../lib/log";
import { openWebhookSecret } from "../lib/seal";
import { signatureHeader } from "../lib/webhook-sign";
import type { WebhookDeliveryMessage } from "../queues/webhook-deliveries";

/** Receivers get 15 s to answer (the whole exchange, headers and the first bytes). */
export const DELIVERY_TIMEOUT_MS = 15_000;
/** How much of an answer (or error) the delivery log keeps. */
export const EXCERPT_BYTES = 256;

/** What one attempt came to: the answer to decide on, and what the delivery log keeps of it. */
interface Attempt {
	answer: DeliveryAnswer;
	/** When the answer came (epoch ms): a `Retry-After` date counts from here. */
	at: number;
	status: number | null;
	latencyMs: number | null;
	excerpt: string | null;
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
		const retryAfter = res.headers.get("retry-after");
		const at = Date.now();
		return {
			answer: { kind: "answered", status: res.status, retryAfter },
			at,
			status: res.status,
			latencyMs,
			excerpt: await excerptOf(res),
		};
	} catch (error) {
		const timedOut = error instanceof Error && error.name === "TimeoutError";
		const excerpt = timedOut
			? `timed out after ${DELIVERY_TIMEOUT_MS / 1000} s`
			: String(error).slice(0, EXCERPT_BYTES);
		return {
			answer: { kind: "no-answer", error: excerpt },
			at: Date.now(),
			status: null,
			latencyMs: Math.round(performance.now() - started),
			excerpt,
		};
	}
}

/** An attempt the URL guard stopped: nothing was sent. */
function refused(reason: string): Attempt {
	return {
		answer: { kind: "refused", reason },
		at: Date.now(),
		status: null,
		latencyMs: null,
		excerpt: `URL refused: ${reason}`.slice(0, EXCERPT_BYTES),
	};
}

function logAttempt(
	endpointId: string,
	eventId: string,
	attempt: number,
	outcome: DeliveryDecision["outcome"],
	a: Attempt,
) {
	logEvent("webhook.attempt", {
		endpointId,
		eventId,
		attempt,
		outcome,
		status: a.status,
		durationMs: a.latencyMs,
	});
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
	if (!event || !endpoint || !receivesEvent(endpoint, event, "delivery")) {
		// Deleted or disabled since the fan-out (or never ours): nothing to send.
		logEvent("webhook.skipped", { endpointId: body.endpointId, eventId: body.eventId });
		return null;
	}
	const check = checkWebhookUrl(endpoint.url, {
		allowHttpLoopback: String(env.WEBHOOK_ALLOW_HTTP_LOOPBACK) === "1",
	});
	const attempt = check.ok ? await post(env, endpoint, event) : refused(check.reason);
	const decision = decideDelivery(
		{ number: msg.attempts, eventId: event.id, eventType: event.type, random: Math.random() },
		endpoint,
		attempt.at,
		attempt.answer,
	);
	return carryOut(env, queue, msg, { event, endpoint, attempt, decision });
}

/** Does what `decision` says; answers the delay before the next attempt, or null. */
async function carryOut(
	env: Env,
	queue: string,
	msg: Message<unknown>,
	d: { event: EventRow; endpoint: EndpointRow; attempt: Attempt; decision: DeliveryDecision },
): Promise<number | null> {
	const db = env.DB;
	const { event, endpoint, attempt, decision } = d;
	const now = () => new Date().toISOString();
	const delay = decision.kind === "retry" ? decision.delaySeconds : null;
	await record(db, endpoint.id, event.id, msg.attempts, decision.outcome, attempt, delay);
	switch (decision.kind) {
		case "delivered":
			await Endpoints.markDelivered(db, endpoint.id, now());
			return null;
		case "disable":
			await Endpoints.disable(db, endpoint.id, decision.reason, now());
			return null;
		case "retry":
			await Endpoints.markFailed(db, endpoint.id, now());
			return decision.delaySeconds;
		case "give-up": {
			const failures = await Endpoints.markFailed(db, endpoint.id, now());
			// The schedule ran out: admins see the event with the other dead letters.
			await DeadLettersTable.recordWebhook(db, {
				messageId: msg.id,
				queue,
				linkId: event.linkId,
				body: msg.body,
				attempts: msg.attempts,
				lastError: decision.lastError,
			});
			const lastDelivered = await WebhookLog.lastDeliveredAt(db, endpoint.id);
			const reason = persistentFailureReason(
				{ ...endpoint, failures },
				lastDelivered,
				Date.now(),
				decision.failure,
			);
			if (reason) await Endpoints.disable(db, endpoint.id, reason, now());
			return null;
		}
	}
}

async function record(
	db: D1Database,
	endpointId: string,
	eventId: string,
	attempt: number,
	outcome: DeliveryDecision["outcome"],
	a: Attempt,
	delaySeconds: number | null,
): Promise<void> {
	logAttempt(endpointId, eventId, attempt, outcome, a);
	await WebhookLog.recordAttempt(db, {
		endpointId,
		eventId,
		attempt,
		outcome,
		status: a.status,
		latencyMs: a.latencyMs,
		responseExcerpt: a.excerpt,
		nextAttemptAt:
			delaySeconds === null ? null : new Date(Date.now() + delaySeconds * 1000).toISOString(),
	});
}
