/**
 * Builders for the webhook consumer tests: endpoints stored directly in D1,
 * event and delivery messages, a receiver that answers the Worker's outbound
 * fetch (the tests, the Worker and its consumers share one isolate, so a spy
 * on globalThis.fetch sees every delivery), a fake producer binding, and a
 * way to run one batch through the real queue handler.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import * as Endpoints from "../../src/d1/webhook-endpoints";
import worker from "../../src/index";
import { randomBase32 } from "../../src/lib/crypto";
import { sealWebhookSecret } from "../../src/lib/seal";
import { newSigningSecret } from "../../src/lib/webhook-sign";

export const QUEUE = "webhook-deliveries";
export const RECEIVER = "https://receiver.test";

export const newOwnerId = () => `own_${randomBase32(20)}`;
export const newEventId = () => `evt_${randomBase32(26)}`;

export interface EndpointOptions {
	eventTypes?: Endpoints.EndpointRow["eventTypes"];
	enabled?: boolean;
	url?: string;
	failures?: number;
	createdAt?: string;
	/** A previous secret that still signs until `until`. */
	previous?: { secret: string; until: string };
}

/** Stores an endpoint of `ownerId`; answers its id and its (clear) signing secret. */
export async function storedEndpoint(ownerId: string, o: EndpointOptions = {}) {
	const id = `whe_${randomBase32(20)}`;
	const secret = newSigningSecret();
	const at = o.createdAt ?? new Date().toISOString();
	await Endpoints.insert(env.DB, {
		id,
		ownerId,
		url: o.url ?? `${RECEIVER}/${id}`,
		description: "",
		eventTypes: o.eventTypes ?? [],
		enabled: o.enabled ?? true,
		disabledReason: null,
		secretBox: await sealWebhookSecret(env.LINK_ID_SECRET, id, secret),
		previousSecretBox: o.previous
			? await sealWebhookSecret(env.LINK_ID_SECRET, id, o.previous.secret)
			: null,
		previousUntil: o.previous?.until ?? null,
		failures: o.failures ?? 0,
		createdAt: at,
		updatedAt: at,
	});
	return { id, secret };
}

export function eventMessage(
	ownerId: string,
	type = "link.paused",
	extra: { onlyEndpointId?: string; linkId?: string } = {},
) {
	return {
		v: 1,
		kind: "event",
		id: newEventId(),
		ownerId,
		linkId: extra.linkId ?? null,
		payload: { type, timestamp: new Date().toISOString(), data: { seq: 3, epoch: 1 } },
		...(extra.onlyEndpointId ? { onlyEndpointId: extra.onlyEndpointId } : {}),
	};
}

export const deliveryMessage = (eventId: string, endpointId: string) => ({
	v: 1,
	kind: "delivery",
	eventId,
	endpointId,
});

export interface Received {
	url: string;
	init: RequestInit;
	headers: Headers;
	body: string;
}

/**
 * Answers the Worker's requests to RECEIVER with `answer` (n counts from 1);
 * any other request goes out as usual. Restored by vi.restoreAllMocks().
 */
export function receiver(
	answer: (r: Received, n: number) => Response | Promise<Response> = () => new Response("ok"),
): Received[] {
	const received: Received[] = [];
	const original = globalThis.fetch;
	vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
		const url = input instanceof Request ? input.url : String(input);
		if (!url.startsWith(`${RECEIVER}/`)) return original(input, init);
		const r: Received = {
			url,
			init: init ?? {},
			headers: new Headers(init?.headers),
			body: String(init?.body),
		};
		received.push(r);
		return answer(r, received.length);
	});
	return received;
}

/** A producer binding that keeps what is sent (the fan-out's delivery messages). */
export function fakeQueue() {
	const sent: unknown[] = [];
	const queue = {
		async send(body: unknown) {
			sent.push(body);
		},
		async sendBatch(messages: Iterable<{ body: unknown }>) {
			for (const m of messages) sent.push(m.body);
		},
	};
	return { sent, env: { ...env, WEBHOOK_DELIVERIES: queue } as unknown as Env };
}

let nextId = 0;

/**
 * Runs one batch through the Worker's queue handler; answers the acks and
 * retries, with each message's retry delay (retry() is spied on: the
 * plugin's result does not carry delays).
 */
export async function runBatch(
	messages: { body: unknown; attempts?: number }[],
	o: { queue?: string; env?: Env } = {},
) {
	const batch = createMessageBatch(
		o.queue ?? QUEUE,
		messages.map((m) => ({
			id: `wm${++nextId}`,
			timestamp: new Date(),
			attempts: m.attempts ?? 1,
			body: m.body,
		})),
	);
	const spies = batch.messages.map((m) => vi.spyOn(m, "retry"));
	const ctx = createExecutionContext();
	await worker.queue(batch, o.env ?? env, ctx);
	const result = await getQueueResult(batch, ctx);
	const delays = spies.map((s) => s.mock.calls[0]?.[0]?.delaySeconds);
	return { ...result, ids: batch.messages.map((m) => m.id), delays };
}

/** Stores an event through the consumer (fan-out to a fake queue) and answers its id. */
export async function storedEvent(ownerId: string, type = "link.paused", linkId?: string) {
	const m = eventMessage(ownerId, type, linkId ? { linkId } : {});
	const { env: quiet } = fakeQueue();
	await runBatch([{ body: m }], { env: quiet });
	return m.id;
}
