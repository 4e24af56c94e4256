/**
 * Redeliveries and test events under pressure (docs/webhooks.md "Redelivery
 * and test events"): a redelivery joins the one still pending for the same
 * endpoint and event instead of starting another schedule, only an endpoint
 * that took (or could have taken) an event may get it again, and an owner's
 * redeliveries and test events are rate-limited. Requests go to the app with
 * a queue that keeps what is sent (`fakeQueue`), so every schedule started is
 * counted; the consumer runs through `runBatch`.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../src/app";
import {
	deliveryMessage,
	fakeQueue,
	receiver,
	runBatch,
	storedEndpoint,
	storedEvent,
} from "../consumer/webhook-kit";
import { bearer, bodyOf, createOwner, expectProblem, ORIGIN } from "../helpers";

afterEach(() => {
	vi.restoreAllMocks();
});

type Accepted = { eventId: string; endpointId: string; redeliveryId: string; merged: boolean };

const MINUTE_AGO = () => new Date(Date.now() - 60_000).toISOString();

/**
 * The app with a queue that keeps what is sent (or fails every send), and
 * vars overridden; `post` sends an owner's POST to it.
 */
function capturing(vars: Record<string, string> = {}, o: { failSend?: boolean } = {}) {
	const { sent, env: quiet } = fakeQueue();
	const queue = o.failSend
		? {
				send: async () => {
					throw new Error("queue unavailable");
				},
			}
		: quiet.WEBHOOK_DELIVERIES;
	const e = { ...quiet, ...vars, WEBHOOK_DELIVERIES: queue } as unknown as Env;
	const post = async (path: string, apiKey: string) => {
		const ctx = createExecutionContext();
		const res = await app.fetch(
			new Request(`${ORIGIN}${path}`, { method: "POST", headers: bearer(apiKey) }),
			e,
			ctx,
		);
		await waitOnExecutionContext(ctx);
		return res;
	};
	return { sent, post };
}

const redeliverPath = (endpointId: string, eventId: string) =>
	`/api/webhooks/${endpointId}/deliveries/${eventId}/redeliver`;
const testPath = (endpointId: string) => `/api/webhooks/${endpointId}/test`;

/** An owner with an endpoint and an event it failed to take once (a 500). */
async function failedOnce() {
	const owner = await createOwner("Redeliverer");
	const endpoint = await storedEndpoint(owner.ownerId, { createdAt: MINUTE_AGO() });
	const eventId = await storedEvent(owner.ownerId, "link.revoked");
	receiver(() => new Response("down", { status: 500 }));
	await runBatch([{ body: deliveryMessage(eventId, endpoint.id) }]);
	vi.restoreAllMocks();
	return { owner, endpoint, eventId };
}

describe("a redelivery joins the one pending for the same endpoint and event", () => {
	it("20 parallel redeliveries of one event answer 202 with one redelivery and start one delivery schedule", async () => {
		const { owner, endpoint, eventId } = await failedOnce();
		const { sent, post } = capturing();
		const answers = await Promise.all(
			Array.from({ length: 20 }, () => post(redeliverPath(endpoint.id, eventId), owner.apiKey)),
		);
		expect(answers.map((r) => r.status)).toEqual(Array(20).fill(202));
		const bodies = await Promise.all(answers.map((r) => bodyOf<Accepted>(r)));
		const ids = new Set(bodies.map((b) => b.redeliveryId));
		expect(ids.size).toBe(1);
		const [redeliveryId] = [...ids];
		expect(redeliveryId).toMatch(/^wrd_[0-9a-z]{20}$/);
		expect(bodies.filter((b) => !b.merged)).toHaveLength(1);
		expect(bodies.filter((b) => b.merged)).toHaveLength(19);
		for (const b of bodies) expect(b).toMatchObject({ eventId, endpointId: endpoint.id });
		// One delivery message: one schedule of at most 8 attempts.
		expect(sent).toEqual([{ ...deliveryMessage(eventId, endpoint.id), redeliveryId }]);
	});

	it("does not join a redelivery of another event or to another endpoint", async () => {
		const { owner, endpoint, eventId } = await failedOnce();
		const second = await storedEndpoint(owner.ownerId, { createdAt: MINUTE_AGO() });
		const otherEvent = await storedEvent(owner.ownerId, "link.paused");
		const { sent, post } = capturing();
		for (const [to, ev] of [
			[endpoint.id, eventId],
			[endpoint.id, otherEvent],
			[second.id, eventId],
		] as const) {
			const res = await post(redeliverPath(to, ev), owner.apiKey);
			expect(res.status).toBe(202);
			expect((await bodyOf<Accepted>(res)).merged).toBe(false);
		}
		expect(sent).toHaveLength(3);
	});

	it("stays pending while its schedule retries; once the schedule ends, a redelivery starts a new one", async () => {
		const { owner, endpoint, eventId } = await failedOnce();
		const { sent, post } = capturing();
		const first = await bodyOf<Accepted>(
			await post(redeliverPath(endpoint.id, eventId), owner.apiKey),
		);
		receiver(() => new Response("down", { status: 500 }));
		const retried = await runBatch([{ body: sent[0] }]);
		expect(retried.retryMessages).toHaveLength(1);
		const during = await bodyOf<Accepted>(
			await post(redeliverPath(endpoint.id, eventId), owner.apiKey),
		);
		expect(during).toMatchObject({ merged: true, redeliveryId: first.redeliveryId });

		// The eighth attempt fails: the schedule is over (a dead letter), nothing is pending.
		const last = await runBatch([{ body: sent[0], attempts: 8 }]);
		expect(last.explicitAcks).toHaveLength(1);
		const next = await bodyOf<Accepted>(
			await post(redeliverPath(endpoint.id, eventId), owner.apiKey),
		);
		expect(next.merged).toBe(false);
		expect(next.redeliveryId).not.toBe(first.redeliveryId);

		// Delivered: over as well.
		vi.restoreAllMocks();
		receiver();
		await runBatch([{ body: sent[1] }]);
		const after = await bodyOf<Accepted>(
			await post(redeliverPath(endpoint.id, eventId), owner.apiKey),
		);
		expect(after.merged).toBe(false);
		expect(sent).toHaveLength(3);
	});

	it("leaves nothing pending when the queue send fails", async () => {
		const { owner, endpoint, eventId } = await failedOnce();
		const broken = capturing({}, { failSend: true });
		await expectProblem(
			await broken.post(redeliverPath(endpoint.id, eventId), owner.apiKey),
			500,
			"internal-error",
		);
		const { sent, post } = capturing();
		const res = await post(redeliverPath(endpoint.id, eventId), owner.apiKey);
		expect((await bodyOf<Accepted>(res)).merged).toBe(false);
		expect(sent).toHaveLength(1);
	});

	it("ends a pending redelivery whose message the queue gave up on (the DLQ), and one whose lease ran out", async () => {
		const { owner, endpoint, eventId } = await failedOnce();
		const { sent, post } = capturing();
		await post(redeliverPath(endpoint.id, eventId), owner.apiKey);
		await runBatch([{ body: sent[0] }], { queue: "webhook-deliveries-dlq" });
		const again = await bodyOf<Accepted>(
			await post(redeliverPath(endpoint.id, eventId), owner.apiKey),
		);
		expect(again.merged).toBe(false);

		// A message lost without a trace: its lease runs out and it stops blocking.
		await env.DB.prepare("UPDATE webhook_redeliveries SET lease_until = 0").run();
		const fresh = await bodyOf<Accepted>(
			await post(redeliverPath(endpoint.id, eventId), owner.apiKey),
		);
		expect(fresh.merged).toBe(false);
		expect(fresh.redeliveryId).not.toBe(again.redeliveryId);
		expect(sent).toHaveLength(3);
	});
});

describe("only an endpoint that took the event may get it again", () => {
	it("refuses (409 webhook-event-not-subscribed) an endpoint registered after the event, one that does not take its type, and another endpoint's test event; nothing is sent", async () => {
		const owner = await createOwner("Subscriber");
		const eventId = await storedEvent(owner.ownerId, "link.revoked");
		const later = await storedEndpoint(owner.ownerId, {
			createdAt: new Date(Date.now() + 1000).toISOString(),
		});
		const otherTypes = await storedEndpoint(owner.ownerId, {
			createdAt: MINUTE_AGO(),
			eventTypes: ["upload.finalized"],
		});
		const { sent, post } = capturing();
		const tested = await bodyOf<{ eventId: string }>(await post(testPath(later.id), owner.apiKey));
		// The test event for `later` stored by the consumer (its fan-out goes to another fake queue).
		await runBatch([{ body: sent[0] }], { env: fakeQueue().env });
		for (const [to, ev, why] of [
			[later.id, eventId, /after/],
			[otherTypes.id, eventId, /link\.revoked/],
			[otherTypes.id, tested.eventId, /another endpoint/],
		] as const) {
			const problem = await expectProblem(
				await post(redeliverPath(to, ev), owner.apiKey),
				409,
				"webhook-event-not-subscribed",
			);
			expect(problem.detail).toMatch(why);
		}
		expect(sent).toHaveLength(1);
	});

	it("accepts an endpoint that had an attempt of the event (even if its types changed since), and one that took the type but got nothing (disabled then)", async () => {
		const { owner, endpoint, eventId } = await failedOnce();
		await env.DB.prepare("UPDATE webhook_endpoints SET event_types = ? WHERE id = ?")
			.bind(JSON.stringify(["upload.finalized"]), endpoint.id)
			.run();
		const quiet = await storedEndpoint(owner.ownerId, {
			createdAt: MINUTE_AGO(),
			eventTypes: ["link.revoked"],
		});
		const { sent, post } = capturing();
		expect((await post(redeliverPath(endpoint.id, eventId), owner.apiKey)).status).toBe(202);
		expect((await post(redeliverPath(quiet.id, eventId), owner.apiKey)).status).toBe(202);
		expect(sent).toHaveLength(2);
	});
});

describe("an owner's redeliveries and test events are rate-limited", () => {
	it("share WEBHOOK_SENDS_PER_MINUTE a minute; one more is 429 too-many-webhook-sends with Retry-After; another owner is not affected", async () => {
		const { owner, endpoint, eventId } = await failedOnce();
		const { sent, post } = capturing({ WEBHOOK_SENDS_PER_MINUTE: "3" });
		expect((await post(testPath(endpoint.id), owner.apiKey)).status).toBe(202);
		expect((await post(redeliverPath(endpoint.id, eventId), owner.apiKey)).status).toBe(202);
		expect((await post(testPath(endpoint.id), owner.apiKey)).status).toBe(202);
		for (const path of [testPath(endpoint.id), redeliverPath(endpoint.id, eventId)]) {
			const res = await post(path, owner.apiKey);
			const retryAfter = Number(res.headers.get("retry-after"));
			expect(retryAfter).toBeGreaterThanOrEqual(1);
			expect(retryAfter).toBeLessThanOrEqual(60);
			const problem = await expectProblem(res, 429, "too-many-webhook-sends");
			expect(problem).toMatchObject({ retryable: true, retryAfter });
			expect(problem.detail).toMatch(/3 /);
		}
		expect(sent).toHaveLength(3);

		const other = await failedOnce();
		expect((await post(testPath(other.endpoint.id), other.owner.apiKey)).status).toBe(202);
	});

	it("allows 30 a minute by default (wrangler.toml)", async () => {
		const owner = await createOwner("Default limit");
		const endpoint = await storedEndpoint(owner.ownerId);
		const { sent, post } = capturing();
		for (let i = 0; i < 30; i++)
			expect((await post(testPath(endpoint.id), owner.apiKey)).status).toBe(202);
		await expectProblem(
			await post(testPath(endpoint.id), owner.apiKey),
			429,
			"too-many-webhook-sends",
		);
		expect(sent).toHaveLength(30);
	});

	it("counts again from zero in the next minute", async () => {
		const owner = await createOwner("Next window");
		const endpoint = await storedEndpoint(owner.ownerId);
		const { post } = capturing({ WEBHOOK_SENDS_PER_MINUTE: "1" });
		expect((await post(testPath(endpoint.id), owner.apiKey)).status).toBe(202);
		await expectProblem(await post(testPath(endpoint.id), owner.apiKey), 429);
		// The window the count belongs to is now the previous minute.
		await env.DB.prepare("UPDATE rate_limits SET window_start = window_start - 60000").run();
		expect((await post(testPath(endpoint.id), owner.apiKey)).status).toBe(202);
	});
});
