/**
 * The dashboard's webhooks pages when the API refuses (docs/webhooks.md
 * "Redelivery and test events", "Endpoints"): a URL the owner already has, a
 * redelivery to an endpoint that never had the event, too many test events,
 * and a redelivery that joins a pending one, each said in words on the page
 * with the problem's status, never as a 500.
 */
import { describe, expect, it } from "vitest";
import { storedEndpoint, storedEvent } from "../consumer/webhook-kit";
import { bearer, call } from "../helpers";
import { ownerClient } from "../owner-client";
import { getPage, ownerSession, postForm } from "./pages";

/** Never resolves (`.invalid`): deliveries the queue makes fail without reaching a network. */
const HOOK = "https://receiver.invalid/page-hook";
const MINUTE_AGO = () => new Date(Date.now() - 60_000).toISOString();

const endpointForm = (url: string) => ({ url, description: "", enabled: "on" });

describe("the webhooks pages say why the API refused", () => {
	it("adding an endpoint with a URL the owner already has: 409, in words, the form kept", async () => {
		const { apiKey, cookie } = await ownerSession();
		await ownerClient(apiKey).createWebhook({ url: HOOK });
		const res = await postForm(
			"/app/webhooks",
			cookie,
			endpointForm("HTTPS://Receiver.invalid/page-hook"),
		);
		expect(res.status).toBe(409);
		const html = await res.text();
		expect(html).toContain("You already have an endpoint with this address.");
		expect(html).toContain("webhook-url-duplicate");
		expect(html).toContain('value="HTTPS://Receiver.invalid/page-hook"');
		expect((await ownerClient(apiKey).listWebhooks()).items).toHaveLength(1);
	});

	it("moving an endpoint to another one's URL: 409, in words, on the endpoint's page", async () => {
		const { apiKey, cookie } = await ownerSession();
		const client = ownerClient(apiKey);
		await client.createWebhook({ url: HOOK });
		const { endpoint } = await client.createWebhook({ url: `${HOOK}/2` });
		const res = await postForm(`/app/webhooks/${endpoint.id}`, cookie, endpointForm(HOOK));
		expect(res.status).toBe(409);
		const html = await res.text();
		expect(html).toContain("You already have an endpoint with this address.");
		expect(html).toContain("Delivery log");
	});

	it("redelivering an event the endpoint never had: 409, in words, on the endpoint's page", async () => {
		const { ownerId, cookie } = await ownerSession();
		const eventId = await storedEvent(ownerId, "link.revoked");
		const endpoint = await storedEndpoint(ownerId, { url: HOOK, eventTypes: ["link.paused"] });
		const res = await postForm(
			`/app/webhooks/${endpoint.id}/deliveries/${eventId}/redeliver`,
			cookie,
			{},
		);
		expect(res.status).toBe(409);
		const html = await res.text();
		expect(html).toContain("This endpoint never had this event");
		expect(html).toContain("webhook-event-not-subscribed");
		expect(html).toContain("Delivery log");
	});

	it("a redelivery that joins a pending one says so", async () => {
		const { ownerId, cookie } = await ownerSession();
		const endpoint = await storedEndpoint(ownerId, { url: HOOK, createdAt: MINUTE_AGO() });
		const eventId = await storedEvent(ownerId, "link.revoked");
		const path = `/app/webhooks/${endpoint.id}/deliveries/${eventId}/redeliver`;
		const first = await postForm(path, cookie, {});
		expect(first.status).toBe(303);
		expect(first.headers.get("location")).toBe(`/app/webhooks/${endpoint.id}?done=redelivered#log`);
		const second = await postForm(path, cookie, {});
		expect(second.status).toBe(303);
		const location = second.headers.get("location") ?? "";
		expect(location).toBe(`/app/webhooks/${endpoint.id}?done=redelivery-pending#log`);
		const page = await (await getPage(location, cookie)).text();
		expect(page).toContain("This event is already being sent again to this endpoint.");
	});

	it("a test event over the rate limit: 429, in words, on the endpoint's page", async () => {
		const { apiKey, cookie } = await ownerSession();
		const client = ownerClient(apiKey);
		// Disabled: the queued test events go nowhere.
		const { endpoint } = await client.createWebhook({ url: HOOK, enabled: false });
		for (let i = 0; i < 30; i++) {
			const res = await call(`/api/webhooks/${endpoint.id}/test`, {
				method: "POST",
				headers: bearer(apiKey),
			});
			expect(res.status).toBe(202);
		}
		const res = await postForm(`/app/webhooks/${endpoint.id}/test`, cookie, {});
		expect(res.status).toBe(429);
		const html = await res.text();
		expect(html).toContain("Wait a minute and try again.");
		expect(html).toContain("too-many-webhook-sends");
		expect(html).toContain("Delivery log");
	});
});
