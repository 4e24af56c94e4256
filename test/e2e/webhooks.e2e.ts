/**
 * Webhooks end to end (issue 13): the running service (wrangler dev) delivers
 * real events to a real receiver on loopback, and every delivery's signature
 * verifies with the reference `standardwebhooks` library. A receiver that
 * fails its first attempt gets a retry with the same webhook-id; one that
 * answers 410 gets its endpoint disabled with the reason; a slow one times
 * out and is retried; a rotated secret signs with both secrets during the
 * grace period.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Delivery, type Receiver, startReceiver } from "../../scripts/lib/webhook-receiver.ts";
import { UploaderClient } from "../../src/client";
import type { OwnerClient } from "../../src/client/owner";
import { service } from "./helpers";

let receiver: Receiver;
beforeAll(async () => {
	receiver = await startReceiver();
});
afterAll(async () => {
	await receiver.close();
});

async function newOwner(name: string): Promise<OwnerClient> {
	const { admin } = service();
	const created = await admin.createOwner(name, `${name.replace(/\W/g, "")}@example.test`);
	return admin.as({ apiKey: created.apiKey });
}

const typesOf = (ds: Delivery[]) => ds.map((d) => JSON.parse(d.body).type as string);
const dataOf = (d: Delivery) => JSON.parse(d.body).data as Record<string, unknown>;

describe("webhooks against a real receiver", () => {
	it("every change of a link arrives once as a verified event, in seq order", async () => {
		const api = await newOwner("Hook Owner");
		const { endpoint, secret } = await api.createWebhook({ url: receiver.url("/all") });
		expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
		receiver.trust("/all", secret);
		const { link, uploadUrl } = await api.createLink({ title: "Hooked" });
		await api.pause(link.id);
		await api.resume(link.id);
		const up = await new UploaderClient(uploadUrl).upload(new Uint8Array(2048).fill(7), {
			name: "hello.bin",
			type: "application/octet-stream",
		});
		expect(up.command.status).toBe("succeeded");
		const revoke = await api.revoke(link.id);
		await api.waitForCommand(revoke.command.id);

		const got = await receiver.waitFor("/all", 4, 60_000);
		// At least once: duplicates may come, but only with an id already seen.
		const byId = new Map(got.map((d) => [d.id, d]));
		const events = [...byId.values()].sort((a, b) => Number(dataOf(a).seq) - Number(dataOf(b).seq));
		expect(typesOf(events)).toEqual([
			"link.paused",
			"link.resumed",
			"upload.finalized",
			"link.revoked",
		]);
		expect(events.map((d) => dataOf(d).seq)).toEqual([1, 2, 3, 4]);
		expect(events.map((d) => dataOf(d).epoch)).toEqual([2, 3, 3, 4]);
		for (const d of got) {
			expect(d.verifiedBy, `${d.id} verifies`).toBe(0);
			expect(dataOf(d).linkId).toBe(link.id);
		}
		expect(dataOf(events[2] as Delivery)).toMatchObject({ name: "hello.bin", size: 2048 });
		expect((await api.getWebhook(endpoint.id)).enabled).toBe(true);
	});

	it("a receiver failing its first attempt gets a retry with the same webhook-id", async () => {
		const api = await newOwner("Retry Owner");
		receiver.script("/flaky", (n) => ({ status: n === 1 ? 503 : 200 }));
		const { endpoint, secret } = await api.createWebhook({ url: receiver.url("/flaky") });
		receiver.trust("/flaky", secret);
		const { eventId } = await api.sendTestWebhook(endpoint.id);
		const [first, second] = await receiver.waitFor("/flaky", 2, 60_000);
		expect(first?.id).toBe(eventId);
		expect(second?.id).toBe(eventId);
		expect(second?.verifiedBy).toBe(0);
		expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(3_000);
	});

	it("a 410 disables the endpoint, with the reason shown", async () => {
		const api = await newOwner("Gone Owner");
		receiver.script("/gone", () => ({ status: 410 }));
		const { endpoint, secret } = await api.createWebhook({ url: receiver.url("/gone") });
		receiver.trust("/gone", secret);
		await api.sendTestWebhook(endpoint.id);
		await receiver.waitFor("/gone", 1, 30_000);
		let seen = await api.getWebhook(endpoint.id);
		for (let i = 0; i < 50 && seen.enabled; i++) {
			await new Promise((r) => setTimeout(r, 200));
			seen = await api.getWebhook(endpoint.id);
		}
		expect(seen.enabled).toBe(false);
		expect(seen.disabledReason).toMatch(/410/);
	});

	it("a slow receiver is cut off at 15 s and retried", async () => {
		const api = await newOwner("Slow Owner");
		receiver.script("/slow", (n) => (n === 1 ? { status: 200, delayMs: 20_000 } : { status: 200 }));
		const { endpoint, secret } = await api.createWebhook({ url: receiver.url("/slow") });
		receiver.trust("/slow", secret);
		const { eventId } = await api.sendTestWebhook(endpoint.id);
		const [first, second] = await receiver.waitFor("/slow", 2, 90_000);
		expect([first?.id, second?.id]).toEqual([eventId, eventId]);
		expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(15_000);
	});

	it("after a rotation both the new and the old secret verify during the grace period", async () => {
		const api = await newOwner("Rotating Owner");
		const { endpoint, secret: old } = await api.createWebhook({ url: receiver.url("/rotate") });
		const { secret: fresh } = await api.rotateWebhookSecret(endpoint.id, { graceSeconds: 3600 });
		expect(fresh).not.toBe(old);
		receiver.trust("/rotate", fresh, old);
		await api.sendTestWebhook(endpoint.id);
		const [d] = await receiver.waitFor("/rotate", 1, 30_000);
		expect(d?.verifiedBy).toBe(0);
		// The header carries two signatures: a receiver that knows only the old secret verifies too.
		expect(d?.signature.split(" ")).toHaveLength(2);
		receiver.trust("/rotate", old);
		await api.sendTestWebhook(endpoint.id);
		const [, d2] = await receiver.waitFor("/rotate", 2, 30_000);
		expect(d2?.verifiedBy).toBe(0);
	});
});
