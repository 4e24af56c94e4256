import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as WebhookLog from "../../src/d1/webhook-log";
import {
	deliveryMessage,
	receiver,
	runBatch,
	storedEndpoint,
	storedEvent,
} from "../consumer/webhook-kit";
import { ADMIN, bearer, bodyOf, call, createOwner, expectProblem, ORIGIN } from "../helpers";

afterEach(() => {
	vi.restoreAllMocks();
});

type AttemptPage = { items: Record<string, unknown>[]; nextCursor: string | null };

/** An owner with an endpoint, and an event delivered to it twice (a 500, then a 200). */
async function loggedEndpoint() {
	const owner = await createOwner();
	const endpoint = await storedEndpoint(owner.ownerId);
	const eventId = await storedEvent(owner.ownerId, "link.revoked");
	receiver((_r, n) => (n === 1 ? new Response("no", { status: 500 }) : new Response("ok")));
	await runBatch([{ body: deliveryMessage(eventId, endpoint.id) }]);
	await runBatch([{ body: deliveryMessage(eventId, endpoint.id), attempts: 2 }]);
	vi.restoreAllMocks();
	return { owner, endpoint, eventId };
}

const deliveries = (endpointId: string, query = "") =>
	`/api/webhooks/${endpointId}/deliveries${query}`;
const redeliver = (endpointId: string, eventId: string) =>
	call(`/api/webhooks/${endpointId}/deliveries/${eventId}/redeliver`, {
		method: "POST",
		headers: ADMIN,
	});

describe("webhook delivery log", () => {
	it("lists an endpoint's attempts newest first, with the event's id and type, page by page", async () => {
		const { owner, endpoint, eventId } = await loggedEndpoint();
		const res = await call(deliveries(endpoint.id), { headers: bearer(owner.apiKey) });
		expect(res.status).toBe(200);
		const page = await bodyOf<AttemptPage>(res);
		expect(page.items).toMatchObject([
			{ eventId, eventType: "link.revoked", attempt: 2, outcome: "delivered", status: 200 },
			{ eventId, eventType: "link.revoked", attempt: 1, outcome: "failed", status: 500 },
		]);
		expect(page.items[1]).toMatchObject({ responseExcerpt: "no", endpointId: endpoint.id });
		expect(page.nextCursor).toBeNull();

		const first = await bodyOf<AttemptPage>(
			await call(deliveries(endpoint.id, "?limit=1"), { headers: bearer(owner.apiKey) }),
		);
		expect(first.items).toMatchObject([{ attempt: 2 }]);
		const second = await bodyOf<AttemptPage>(
			await call(deliveries(endpoint.id, `?limit=1&cursor=${first.nextCursor}`), {
				headers: bearer(owner.apiKey),
			}),
		);
		expect(second.items).toMatchObject([{ attempt: 1 }]);
		expect(second.nextCursor).toBeNull();
	});

	it("answers 404 webhook-not-found for another owner's endpoint or an unknown one, and lets an admin read any", async () => {
		const { endpoint } = await loggedEndpoint();
		const other = await createOwner("Other");
		await expectProblem(
			await call(deliveries(endpoint.id), { headers: bearer(other.apiKey) }),
			404,
			"webhook-not-found",
		);
		await expectProblem(
			await call(deliveries("whe_00000000000000000000"), { headers: bearer(other.apiKey) }),
			404,
			"webhook-not-found",
		);
		await expectProblem(await call(deliveries(endpoint.id)), 401, "unauthorized");
		const admin = await call(deliveries(endpoint.id), { headers: ADMIN });
		expect((await bodyOf<AttemptPage>(admin)).items).toHaveLength(2);
	});
});

describe("redeliver", () => {
	it("answers 202 and sends the event again through the queue, with the same webhook-id", async () => {
		const { owner, endpoint, eventId } = await loggedEndpoint();
		const received = receiver();
		const res = await call(`/api/webhooks/${endpoint.id}/deliveries/${eventId}/redeliver`, {
			method: "POST",
			headers: bearer(owner.apiKey),
		});
		expect(res.status).toBe(202);
		expect(await res.json()).toEqual({
			eventId,
			endpointId: endpoint.id,
			redeliveryId: expect.stringMatching(/^wrd_[0-9a-z]{20}$/),
			merged: false,
		});
		await vi.waitFor(
			async () => {
				const attempts = await WebhookLog.attemptsOf(env.DB, eventId, endpoint.id);
				expect(attempts).toHaveLength(3);
				expect(attempts[2]).toMatchObject({ attempt: 1, outcome: "delivered" });
			},
			{ timeout: 10_000, interval: 50 },
		);
		expect(received.map((r) => r.headers.get("webhook-id"))).toEqual([eventId]);
	});

	it("answers 404 for an unknown event, another owner's event, or another owner's endpoint", async () => {
		const { owner, endpoint } = await loggedEndpoint();
		const other = await createOwner("Other");
		const foreignEvent = await storedEvent(other.ownerId);
		await expectProblem(
			await redeliver(endpoint.id, "evt_00000000000000000000"),
			404,
			"webhook-event-not-found",
		);
		await expectProblem(await redeliver(endpoint.id, foreignEvent), 404, "webhook-event-not-found");
		const ownEvent = await storedEvent(owner.ownerId);
		await expectProblem(
			await call(`/api/webhooks/${endpoint.id}/deliveries/${ownEvent}/redeliver`, {
				method: "POST",
				headers: bearer(other.apiKey),
			}),
			404,
			"webhook-not-found",
		);
	});
});

describe("admin dead letters of the webhook queue", () => {
	/** A pending webhook dead letter: an event whose schedule ran out. */
	async function webhookDeadLetter() {
		const owner = await createOwner();
		const endpoint = await storedEndpoint(owner.ownerId);
		const eventId = await storedEvent(
			owner.ownerId,
			"link.paused",
			"lnk_0123456789abcdefghjkmnpqrs",
		);
		receiver(() => new Response("down", { status: 503 }));
		const r = await runBatch([{ body: deliveryMessage(eventId, endpoint.id), attempts: 8 }]);
		vi.restoreAllMocks();
		const row = await env.DB.prepare("SELECT id FROM dead_letters WHERE message_id = ?")
			.bind(r.ids[0])
			.first<{ id: string }>();
		if (!row) throw new Error("no dead letter");
		return { id: row.id, endpoint, eventId };
	}

	it("lists and shows it (no command)", async () => {
		const { id, eventId } = await webhookDeadLetter();
		const list = await bodyOf<{ items: { id: string }[] }>(
			await call("/api/admin/dead-letters?status=pending&linkId=lnk_0123456789abcdefghjkmnpqrs", {
				headers: ADMIN,
			}),
		);
		expect(list.items.map((i) => i.id)).toContain(id);
		const detail = await call(`/api/admin/dead-letters/${id}`, { headers: ADMIN });
		expect(detail.status).toBe(200);
		const body = await bodyOf<{ deadLetter: Record<string, unknown>; command: unknown }>(detail);
		expect(body.command).toBeNull();
		expect(body.deadLetter).toMatchObject({ id, queue: "webhook-deliveries", commandId: null });
		expect(String(body.deadLetter.lastError)).toContain(eventId);
	});

	it("replays it by sending the delivery again (202), and refuses a second replay", async () => {
		const { id, endpoint, eventId } = await webhookDeadLetter();
		receiver();
		const res = await call(`/api/admin/dead-letters/${id}/replay`, {
			method: "POST",
			headers: ADMIN,
		});
		expect(res.status).toBe(202);
		expect(await bodyOf(res)).toMatchObject({ deadLetter: { id, status: "replayed" } });
		await vi.waitFor(
			async () => {
				const attempts = await WebhookLog.attemptsOf(env.DB, eventId, endpoint.id);
				expect(attempts.at(-1)).toMatchObject({ outcome: "delivered" });
			},
			{ timeout: 10_000, interval: 50 },
		);
		await expectProblem(
			await call(`/api/admin/dead-letters/${id}/replay`, { method: "POST", headers: ADMIN }),
			409,
			"dead-letter-not-pending",
		);
	});

	it("discards it: only the row is marked", async () => {
		const { id } = await webhookDeadLetter();
		const res = await call(`/api/admin/dead-letters/${id}/discard`, {
			method: "POST",
			headers: ADMIN,
		});
		expect(res.status).toBe(200);
		expect(await bodyOf(res)).toMatchObject({
			command: null,
			deadLetter: { id, status: "discarded" },
		});
	});

	it("is shown and discarded in the admin console, in words that fit a webhook", async () => {
		const { id } = await webhookDeadLetter();
		const form = { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN };
		const signIn = await call("/admin/sign-in", {
			method: "POST",
			headers: form,
			body: new URLSearchParams({ credential: "test-admin-token" }),
			redirect: "manual",
		});
		const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
		const html = { Cookie: cookie, Accept: "text/html" };
		const detail = await call(`/admin/dead-letters/${id}`, { headers: html });
		expect(detail.status).toBe(200);
		const text = await detail.text();
		expect(text).toContain("sends this webhook again");
		expect(text).toContain("There is no command for this message.");
		const confirm = await call(`/admin/dead-letters/${id}/discard`, { headers: html });
		expect(await confirm.text()).toContain("marks this webhook handled for good");
		const discard = await call(`/admin/dead-letters/${id}/discard`, {
			method: "POST",
			headers: { Cookie: cookie, ...form },
			redirect: "manual",
		});
		expect(discard.status).toBe(303);
		const after = await call(`/admin/dead-letters/${id}?done=discarded`, { headers: html });
		expect(await after.text()).toContain("this webhook will not be sent again");
	});
});
