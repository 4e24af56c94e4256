import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as Endpoints from "../../src/d1/webhook-endpoints";
import * as WebhookLog from "../../src/d1/webhook-log";
import { GONE_REASON } from "../../src/domain/webhook-delivery";
import { newSigningSecret } from "../../src/lib/webhook-sign";
import {
	deliveryMessage,
	eventMessage,
	fakeQueue,
	newOwnerId,
	type Received,
	receiver,
	runBatch,
	storedEndpoint,
	storedEvent,
} from "./webhook-kit";

afterEach(() => {
	vi.restoreAllMocks();
});

const endpointRow = async (id: string) => {
	const row = await Endpoints.get(env.DB, id);
	if (!row) throw new Error(`endpoint ${id} missing`);
	return row;
};

function verify(secret: string, r: Received) {
	return new Webhook(secret).verify(r.body, {
		"webhook-id": r.headers.get("webhook-id") ?? "",
		"webhook-timestamp": r.headers.get("webhook-timestamp") ?? "",
		"webhook-signature": r.headers.get("webhook-signature") ?? "",
	});
}

/** An endpoint and a stored event of its owner, ready for delivery messages. */
async function deliverable(o: Parameters<typeof storedEndpoint>[1] = {}) {
	const ownerId = newOwnerId();
	const endpoint = await storedEndpoint(ownerId, o);
	const eventId = await storedEvent(ownerId, "link.paused", "lnk_0123456789abcdefghjkmnpqrs");
	return { ownerId, endpoint, eventId, message: deliveryMessage(eventId, endpoint.id) };
}

describe("webhook consumer: event fan-out", () => {
	it("fans an event out to exactly the owner's enabled endpoints that take its type", async () => {
		const owner = newOwnerId();
		const all = await storedEndpoint(owner);
		const paused = await storedEndpoint(owner, { eventTypes: ["link.paused", "link.resumed"] });
		await storedEndpoint(owner, { eventTypes: ["upload.finalized"] });
		await storedEndpoint(owner, { enabled: false });
		await storedEndpoint(newOwnerId());
		const q = fakeQueue();
		const m = eventMessage(owner, "link.paused");
		const result = await runBatch([{ body: m }], { env: q.env });
		expect(result.explicitAcks).toEqual(result.ids);
		expect(result.retryMessages).toEqual([]);
		expect(q.sent).toHaveLength(2);
		expect(q.sent).toEqual(
			expect.arrayContaining([deliveryMessage(m.id, all.id), deliveryMessage(m.id, paused.id)]),
		);
		const event = await WebhookLog.getEvent(env.DB, m.id);
		expect(event).toMatchObject({ ownerId: owner, type: "link.paused" });
		expect(JSON.parse(event?.payload ?? "")).toEqual(m.payload);
	});

	it("stores a duplicate event once and fans it out again with the same event id", async () => {
		const owner = newOwnerId();
		const e = await storedEndpoint(owner);
		const q = fakeQueue();
		const m = eventMessage(owner);
		await runBatch([{ body: m }], { env: q.env });
		await runBatch([{ body: { ...m, payload: { ...m.payload, data: { changed: true } } } }], {
			env: q.env,
		});
		expect(q.sent).toEqual([deliveryMessage(m.id, e.id), deliveryMessage(m.id, e.id)]);
		const rows = await env.DB.prepare("SELECT payload FROM webhook_events WHERE id = ?")
			.bind(m.id)
			.all<{ payload: string }>();
		expect(rows.results.map((r) => JSON.parse(r.payload))).toEqual([m.payload]);
	});

	it("sends a test event only to its endpoint, whatever its types, and only to the owner's enabled one", async () => {
		const owner = newOwnerId();
		const target = await storedEndpoint(owner, { eventTypes: ["upload.finalized"] });
		await storedEndpoint(owner);
		const disabled = await storedEndpoint(owner, { enabled: false });
		const foreign = await storedEndpoint(newOwnerId());
		const q = fakeQueue();
		const test = (only: string) => eventMessage(owner, "webhook.test", { onlyEndpointId: only });
		const t1 = test(target.id);
		await runBatch([{ body: t1 }, { body: test(disabled.id) }, { body: test(foreign.id) }], {
			env: q.env,
		});
		expect(q.sent).toEqual([deliveryMessage(t1.id, target.id)]);
	});

	it("retries the event when the fan-out cannot send, losing nothing", async () => {
		const owner = newOwnerId();
		await storedEndpoint(owner);
		const broken = {
			...env,
			WEBHOOK_DELIVERIES: {
				sendBatch: async () => {
					throw new Error("queue unavailable");
				},
			},
		} as unknown as Env;
		const result = await runBatch([{ body: eventMessage(owner) }], { env: broken });
		expect(result.explicitAcks).toEqual([]);
		expect(result.retryMessages.map((r) => r.msgId)).toEqual(result.ids);
	});

	it("acks and records an invalid message, never retrying it", async () => {
		const result = await runBatch([
			{ body: { v: 1, kind: "delivery", eventId: "evt_x" } },
			{ body: "deliver everything" },
		]);
		expect(result.explicitAcks.sort()).toEqual([...result.ids].sort());
		const rows = await env.DB.prepare(
			`SELECT status, queue FROM dead_letters WHERE message_id IN (${result.ids.map(() => "?").join(",")})`,
		)
			.bind(...result.ids)
			.all();
		expect(rows.results).toEqual([
			{ status: "invalid", queue: "webhook-deliveries" },
			{ status: "invalid", queue: "webhook-deliveries" },
		]);
	});
});

describe("webhook consumer: delivery", () => {
	it("POSTs the stored body, signed so that standardwebhooks verifies it, and acks a 2xx", async () => {
		const { endpoint, eventId, message } = await deliverable({ failures: 3 });
		const received = receiver(() => new Response("thanks", { status: 202 }));
		const result = await runBatch([{ body: message }]);
		expect(result.explicitAcks).toEqual(result.ids);
		expect(received).toHaveLength(1);
		const [r] = received as [Received];
		expect(r.url).toBe(`https://receiver.test/${endpoint.id}`);
		expect(r.init.method).toBe("POST");
		expect(r.init.redirect).toBe("manual");
		expect(r.init.signal).toBeInstanceOf(AbortSignal);
		expect(r.headers.get("content-type")).toBe("application/json");
		expect(r.headers.get("webhook-id")).toBe(eventId);
		expect(Math.abs(Number(r.headers.get("webhook-timestamp")) - Date.now() / 1000)).toBeLessThan(
			5,
		);
		expect(verify(endpoint.secret, r)).toMatchObject({ type: "link.paused" });
		expect(r.body).toBe((await WebhookLog.getEvent(env.DB, eventId))?.payload);
		const [attempt] = await WebhookLog.attemptsOf(env.DB, eventId, endpoint.id);
		expect(attempt).toMatchObject({
			attempt: 1,
			outcome: "delivered",
			status: 202,
			nextAttemptAt: null,
		});
		expect((await endpointRow(endpoint.id)).failures).toBe(0);
	});

	it("signs with both secrets during a rotation's grace period, and with the current one after it", async () => {
		const previous = newSigningSecret();
		const until = new Date(Date.now() + 3600_000).toISOString();
		const rotating = await deliverable({ previous: { secret: previous, until } });
		const received = receiver();
		await runBatch([{ body: rotating.message }]);
		const [r] = received as [Received];
		expect(r.headers.get("webhook-signature")?.split(" ")).toHaveLength(2);
		expect(() => verify(rotating.endpoint.secret, r)).not.toThrow();
		expect(() => verify(previous, r)).not.toThrow();

		const past = new Date(Date.now() - 1000).toISOString();
		const rotated = await deliverable({ previous: { secret: previous, until: past } });
		await runBatch([{ body: rotated.message }]);
		const r2 = received[1] as Received;
		expect(r2.headers.get("webhook-signature")?.split(" ")).toHaveLength(1);
		expect(() => verify(previous, r2)).toThrow();
	});

	it("retries a 500 on the schedule and delivers the retry with the same webhook-id", async () => {
		const { endpoint, eventId, message } = await deliverable();
		const received = receiver((_r, n) =>
			n === 1 ? new Response("boom: database down", { status: 500 }) : new Response("ok"),
		);
		const first = await runBatch([{ body: message }]);
		expect(first.explicitAcks).toEqual([]);
		expect(first.retryMessages.map((m) => m.msgId)).toEqual(first.ids);
		expect(first.delays[0]).toBeGreaterThanOrEqual(4);
		expect(first.delays[0]).toBeLessThanOrEqual(6);
		expect((await endpointRow(endpoint.id)).failures).toBe(1);

		const second = await runBatch([{ body: message, attempts: 2 }]);
		expect(second.explicitAcks).toEqual(second.ids);
		expect(received.map((r) => r.headers.get("webhook-id"))).toEqual([eventId, eventId]);
		const attempts = await WebhookLog.attemptsOf(env.DB, eventId, endpoint.id);
		expect(attempts).toMatchObject([
			{ attempt: 1, outcome: "failed", status: 500, responseExcerpt: "boom: database down" },
			{ attempt: 2, outcome: "delivered", status: 200, nextAttemptAt: null },
		]);
		expect(attempts[0]?.nextAttemptAt).not.toBeNull();
		expect((await endpointRow(endpoint.id)).failures).toBe(0);
	});

	it("honours a longer Retry-After, in seconds or as a date, capped at 12 hours", async () => {
		const answers = [
			new Response("", { status: 503, headers: { "Retry-After": "120" } }),
			new Response("", {
				status: 429,
				headers: { "Retry-After": new Date(Date.now() + 3600_000).toUTCString() },
			}),
			new Response("", { status: 503, headers: { "Retry-After": "999999" } }),
			new Response("", { status: 503, headers: { "Retry-After": "1" } }),
		];
		receiver((_r, n) => answers[n - 1] ?? new Response("ok"));
		const delays: (number | undefined)[] = [];
		for (let i = 0; i < answers.length; i++) {
			const { message } = await deliverable();
			delays.push((await runBatch([{ body: message }])).delays[0]);
		}
		expect(delays[0]).toBe(120);
		expect(delays[1]).toBeGreaterThanOrEqual(3598);
		expect(delays[1]).toBeLessThanOrEqual(3600);
		expect(delays[2]).toBe(12 * 3600);
		// Shorter than the schedule's 5 s (±20 %): the schedule wins.
		expect(delays[3]).toBeGreaterThanOrEqual(4);
	});

	it("disables the endpoint with the reason when it answers 410 Gone", async () => {
		const { endpoint, eventId, message } = await deliverable();
		receiver(() => new Response("gone", { status: 410 }));
		const result = await runBatch([{ body: message }]);
		expect(result.explicitAcks).toEqual(result.ids);
		expect(await endpointRow(endpoint.id)).toMatchObject({
			enabled: false,
			disabledReason: GONE_REASON,
		});
		expect(await WebhookLog.attemptsOf(env.DB, eventId, endpoint.id)).toMatchObject([
			{ outcome: "gone", status: 410 },
		]);
	});

	it("treats a redirect as a failure and never follows it", async () => {
		const { endpoint, eventId, message } = await deliverable();
		const received = receiver(
			() => new Response(null, { status: 302, headers: { Location: "https://receiver.test/x" } }),
		);
		const result = await runBatch([{ body: message }]);
		expect(result.retryMessages.map((m) => m.msgId)).toEqual(result.ids);
		expect(received).toHaveLength(1);
		expect(received[0]?.init.redirect).toBe("manual");
		expect(await WebhookLog.attemptsOf(env.DB, eventId, endpoint.id)).toMatchObject([
			{ outcome: "failed", status: 302 },
		]);
	});

	it("treats a timeout as a failure and retries", async () => {
		const { endpoint, eventId, message } = await deliverable();
		receiver(() => {
			throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
		});
		const result = await runBatch([{ body: message }]);
		expect(result.retryMessages.map((m) => m.msgId)).toEqual(result.ids);
		expect(await WebhookLog.attemptsOf(env.DB, eventId, endpoint.id)).toMatchObject([
			{ outcome: "failed", status: null, responseExcerpt: "timed out after 15 s" },
		]);
	});

	it("keeps only the first 256 bytes of an answer", async () => {
		const { endpoint, eventId, message } = await deliverable();
		receiver(() => new Response("x".repeat(10_000), { status: 500 }));
		await runBatch([{ body: message }]);
		const [attempt] = await WebhookLog.attemptsOf(env.DB, eventId, endpoint.id);
		expect(attempt?.responseExcerpt).toBe("x".repeat(256));
	});

	it("sends nothing to a disabled or deleted endpoint and acks", async () => {
		const disabled = await deliverable({ enabled: false });
		const deleted = await deliverable();
		await Endpoints.remove(env.DB, deleted.endpoint.id);
		const received = receiver();
		const result = await runBatch([{ body: disabled.message }, { body: deleted.message }]);
		expect(result.explicitAcks.sort()).toEqual([...result.ids].sort());
		expect(received).toEqual([]);
	});

	it("refuses a URL the SSRF rule forbids at delivery time and disables the endpoint", async () => {
		const { endpoint, eventId, message } = await deliverable({ url: "https://10.0.0.7/hook" });
		const received = receiver();
		const result = await runBatch([{ body: message }]);
		expect(result.explicitAcks).toEqual(result.ids);
		expect(received).toEqual([]);
		const row = await endpointRow(endpoint.id);
		expect(row.enabled).toBe(false);
		expect(row.disabledReason).toMatch(/^The URL was refused/);
		expect(await WebhookLog.attemptsOf(env.DB, eventId, endpoint.id)).toMatchObject([
			{ outcome: "refused", status: null },
		]);
	});

	it("at the schedule's end records a dead letter and disables an endpoint that failed persistently", async () => {
		const longAgo = new Date(Date.now() - 3 * 86400_000).toISOString();
		const { endpoint, eventId, message } = await deliverable({ failures: 7, createdAt: longAgo });
		receiver(() => new Response("still down", { status: 503 }));
		const result = await runBatch([{ body: message, attempts: 8 }]);
		expect(result.explicitAcks).toEqual(result.ids);
		expect(result.retryMessages).toEqual([]);
		const dl = await env.DB.prepare("SELECT * FROM dead_letters WHERE message_id = ?")
			.bind(result.ids[0])
			.first<Record<string, unknown>>();
		expect(dl).toMatchObject({
			queue: "webhook-deliveries",
			status: "pending",
			link_id: "lnk_0123456789abcdefghjkmnpqrs",
			command_id: null,
			attempts: 8,
		});
		expect(String(dl?.last_error)).toContain(eventId);
		expect(String(dl?.last_error)).toContain("HTTP 503");
		const row = await endpointRow(endpoint.id);
		expect(row).toMatchObject({ enabled: false, failures: 8 });
		expect(row.disabledReason).toMatch(/failed 8 times in a row/);
	});

	it("at the schedule's end keeps an endpoint enabled that delivered other events lately", async () => {
		const longAgo = new Date(Date.now() - 3 * 86400_000).toISOString();
		const { endpoint, ownerId, message } = await deliverable({ createdAt: longAgo });
		const other = await storedEvent(ownerId);
		receiver((r) =>
			r.headers.get("webhook-id") === other
				? new Response("ok")
				: new Response("no", { status: 500 }),
		);
		await runBatch([{ body: deliveryMessage(other, endpoint.id) }]);
		await Endpoints.update(env.DB, { ...(await endpointRow(endpoint.id)), failures: 7 });
		const result = await runBatch([{ body: message, attempts: 8 }]);
		expect(result.explicitAcks).toEqual(result.ids);
		expect(await endpointRow(endpoint.id)).toMatchObject({ enabled: true, failures: 8 });
		const dl = await env.DB.prepare("SELECT status FROM dead_letters WHERE message_id = ?")
			.bind(result.ids[0])
			.first();
		expect(dl).toEqual({ status: "pending" });
	});

	it("logs one JSON line per attempt without the secret or the signature", async () => {
		const { endpoint, eventId, message } = await deliverable();
		const received = receiver(() => new Response("ok"));
		const log = vi.spyOn(console, "log");
		await runBatch([{ body: message }]);
		const lines = log.mock.calls.map((c) => String(c[0]));
		const attempt = lines.map((l) => JSON.parse(l)).find((l) => l.event === "webhook.attempt");
		expect(attempt).toMatchObject({
			endpointId: endpoint.id,
			eventId,
			attempt: 1,
			outcome: "delivered",
			status: 200,
		});
		expect(typeof attempt.durationMs).toBe("number");
		const signature = received[0]?.headers.get("webhook-signature") ?? "";
		for (const l of lines) {
			expect(l).not.toContain(endpoint.secret.slice(6));
			expect(l).not.toContain(signature.slice(3));
		}
	});
});

describe("webhook DLQ consumer", () => {
	it("records a message the queue gave up on as a pending dead letter, and acks", async () => {
		const { message } = await deliverable();
		const result = await runBatch([{ body: message, attempts: 4 }], {
			queue: "webhook-deliveries-dlq",
		});
		expect(result.explicitAcks).toEqual(result.ids);
		const dl = await env.DB.prepare("SELECT * FROM dead_letters WHERE message_id = ?")
			.bind(result.ids[0])
			.first<Record<string, unknown>>();
		expect(dl).toMatchObject({
			queue: "webhook-deliveries-dlq",
			status: "pending",
			link_id: "lnk_0123456789abcdefghjkmnpqrs",
			attempts: 4,
		});
		expect(JSON.parse(String(dl?.body))).toEqual(message);
	});
});

describe("webhook queue end to end (workerd queue, real consumer)", () => {
	it("an event sent to the queue reaches each target endpoint once, with a signature it verifies", async () => {
		const owner = newOwnerId();
		const a = await storedEndpoint(owner);
		const b = await storedEndpoint(owner, { eventTypes: ["link.paused"] });
		await storedEndpoint(owner, { eventTypes: ["link.deleted"] });
		const received = receiver();
		const m = eventMessage(owner, "link.paused");
		await env.WEBHOOK_DELIVERIES.send(m, { contentType: "json" });
		await vi.waitFor(() => expect(received).toHaveLength(2), { timeout: 10_000, interval: 50 });
		for (const e of [a, b]) {
			const r = received.find((x) => x.url.endsWith(e.id));
			if (!r) throw new Error(`nothing delivered to ${e.id}`);
			expect(r.headers.get("webhook-id")).toBe(m.id);
			expect(verify(e.secret, r)).toEqual(m.payload);
		}
		await vi.waitFor(
			async () => {
				for (const e of [a, b])
					expect(await WebhookLog.attemptsOf(env.DB, m.id, e.id)).toMatchObject([
						{ outcome: "delivered" },
					]);
			},
			{ timeout: 5_000, interval: 50 },
		);
	});
});
