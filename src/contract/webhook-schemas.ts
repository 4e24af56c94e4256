/**
 * The wire shapes of webhooks (docs/webhooks.md): endpoint bodies and views,
 * the delivery log, redelivery and the webhook dead letters. The rest of the
 * contract is in schemas.ts.
 */
import * as v from "valibot";
import { WEBHOOK_ATTEMPT_OUTCOMES, WEBHOOK_EVENT_TYPES } from "./enums";
import { DeadLetter, text } from "./schemas";

/* Webhook endpoints (docs/webhooks.md). A secret or its sealed box is never in a view. */

const WebhookEventTypes = v.pipe(
	v.array(v.picklist(WEBHOOK_EVENT_TYPES)),
	v.maxLength(WEBHOOK_EVENT_TYPES.length),
	v.transform((types) => [...new Set(types)]),
);
/** Any string up to 2,048 characters; src/domain/ssrf.ts decides (400 webhook-url-refused). */
const WebhookUrl = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(4096));

export const CreateWebhookBody = v.strictObject({
	url: WebhookUrl,
	description: v.optional(text(500)),
	/** Empty or absent: every event type. */
	eventTypes: v.optional(WebhookEventTypes),
	enabled: v.optional(v.boolean()),
});
export const PatchWebhookBody = v.strictObject({
	url: v.optional(WebhookUrl),
	description: v.optional(text(500)),
	eventTypes: v.optional(WebhookEventTypes),
	enabled: v.optional(v.boolean()),
});
/** Rotation: the old secret keeps signing for `graceSeconds` (default one day, at most 7 days). */
export const RotateWebhookBody = v.strictObject({
	graceSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(7 * 86_400))),
});
/** Any short string: a malformed id and an unknown one are both 404 webhook-not-found. */
export const WebhookEndpointParam = v.object({
	endpointId: v.pipe(v.string(), v.maxLength(64)),
});

export const WebhookEndpoint = v.object({
	id: v.string(),
	url: v.string(),
	description: v.string(),
	/** Empty: every event type. */
	eventTypes: v.array(v.picklist(WEBHOOK_EVENT_TYPES)),
	enabled: v.boolean(),
	/** Why the service disabled it (410, persistent failure); null otherwise. */
	disabledReason: v.nullable(v.string()),
	/** Consecutive failed deliveries. */
	failures: v.number(),
	/** Until when the previous secret also signs (after a rotation); null otherwise. */
	secretRotatingUntil: v.nullable(v.string()),
	createdAt: v.string(),
	updatedAt: v.string(),
});
export const WebhookEndpointResponse = v.object({ endpoint: WebhookEndpoint });
/** The endpoint and its signing secret (`whsec_` + base64), shown only in this answer. */
export const CreatedWebhookEndpoint = v.object({ endpoint: WebhookEndpoint, secret: v.string() });
export const WebhookEndpointList = v.object({
	items: v.array(WebhookEndpoint),
	nextCursor: v.nullable(v.string()),
});
export const WebhookTestAccepted = v.object({ eventId: v.string() });
/** The endpoint's current signing secret, opened from its sealed copy (owner or admin). */
export const WebhookSecretResponse = v.object({ secret: v.string() });
// --- Webhook delivery log (docs/webhooks.md "Delivery log") ---

export const DeliveryLogParams = v.object({ endpointId: v.pipe(v.string(), v.maxLength(64)) });
export const RedeliverParams = v.object({
	...DeliveryLogParams.entries,
	eventId: v.pipe(v.string(), v.maxLength(64)),
});
/** One delivery attempt of one event to one endpoint. */
export const DeliveryAttempt = v.object({
	id: v.string(),
	endpointId: v.string(),
	eventId: v.string(),
	/** The event's type; null if the event is no longer stored. */
	eventType: v.nullable(v.string()),
	/** 1 for the first attempt of a delivery (a redelivery starts again at 1). */
	attempt: v.number(),
	outcome: v.picklist(WEBHOOK_ATTEMPT_OUTCOMES),
	/** The receiver's HTTP status; null when no answer came (timeout, network error, refused URL). */
	status: v.nullable(v.number()),
	latencyMs: v.nullable(v.number()),
	/** The first 256 bytes of the answer, or the error. */
	responseExcerpt: v.nullable(v.string()),
	/** When the next attempt is planned; null when none is. */
	nextAttemptAt: v.nullable(v.string()),
	createdAt: v.string(),
});
export const DeliveryAttemptList = v.object({
	items: v.array(DeliveryAttempt),
	nextCursor: v.nullable(v.string()),
});
export const RedeliveryAccepted = v.object({
	eventId: v.string(),
	endpointId: v.string(),
	/** `wrd_…`: the redelivery that will send the event (this one, or the pending one it joined). */
	redeliveryId: v.string(),
	/** true: a redelivery of this event to this endpoint was still pending; nothing more is sent. */
	merged: v.boolean(),
});
/** A dead letter of the webhook queues after an admin's replay or discard (no command involved). */
export const WebhookDeadLetterSettled = v.object({ deadLetter: DeadLetter });
export const WebhookDeadLetterDiscarded = v.object({ command: v.null(), deadLetter: DeadLetter });
