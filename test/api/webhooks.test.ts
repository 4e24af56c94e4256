/**
 * The webhook endpoint routes (/api/webhooks): the secret is shown once and
 * stored only sealed, the SSRF guard at create and at update, ownership
 * (another owner's endpoint is 404), the per-owner limit, rotation with its
 * grace period, and the test event put on the webhook-deliveries queue.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { WEBHOOK_TEST_EVENT_TYPE } from "../../src/contract";
import * as Endpoints from "../../src/d1/webhook-endpoints";
import { MAX_WEBHOOKS_PER_OWNER } from "../../src/domain/webhooks";
import { openWebhookSecret } from "../../src/lib/seal";
import { WebhookEventMessage } from "../../src/queues/webhook-deliveries";
import {
	ADMIN,
	bearer,
	bodyOf,
	call,
	createOwner,
	expectProblem,
	ORIGIN,
	sendJson,
} from "../helpers";
import { adminClient, ownerClient } from "../owner-client";

/** A receiver that never resolves (`.invalid`), so no test reaches the network. */
const HOOK = "https://receiver.invalid/hook";
const SECRET_FORMAT = /^whsec_[A-Za-z0-9+/]{43}=$/;
const VIEW_KEYS = [
	"createdAt",
	"description",
	"disabledReason",
	"enabled",
	"eventTypes",
	"failures",
	"id",
	"secretRotatingUntil",
	"updatedAt",
	"url",
];

type StoredRow = {
	id: string;
	owner_id: string;
	secret_box: string;
	previous_secret_box: string | null;
	previous_until: string | null;
	[column: string]: unknown;
};

async function storedRow(id: string): Promise<StoredRow | null> {
	return env.DB.prepare("SELECT * FROM webhook_endpoints WHERE id = ?").bind(id).first<StoredRow>();
}

async function countOf(ownerId: string): Promise<number> {
	const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM webhook_endpoints WHERE owner_id = ?")
		.bind(ownerId)
		.first<{ n: number }>();
	return row?.n ?? 0;
}

async function ownerWithEndpoint(url = HOOK) {
	const owner = await createOwner("Webhook owner");
	const client = ownerClient(owner.apiKey);
	const created = await client.createWebhook({ url });
	return { ...owner, client, ...created };
}

describe("creating an endpoint", () => {
	it("answers 201 with the endpoint and a whsec_ secret shown once, never stored in clear", async () => {
		const { ownerId, apiKey } = await createOwner("Creator");
		const res = await sendJson(
			"POST",
			"/api/webhooks",
			{ url: HOOK, description: "CI receiver" },
			bearer(apiKey),
		);
		expect(res.status).toBe(201);
		expect(res.headers.get("cache-control")).toBe("no-store");
		const { endpoint, secret } = await bodyOf<{
			endpoint: Record<string, unknown> & { id: string };
			secret: string;
		}>(res);
		expect(res.headers.get("location")).toBe(`/api/webhooks/${endpoint.id}`);
		expect(endpoint.id).toMatch(/^whe_[0-9a-z]{20}$/);
		expect(Object.keys(endpoint).sort()).toEqual(VIEW_KEYS);
		expect(endpoint).toMatchObject({
			url: HOOK,
			description: "CI receiver",
			eventTypes: [],
			enabled: true,
			disabledReason: null,
			failures: 0,
			secretRotatingUntil: null,
		});
		expect(secret).toMatch(SECRET_FORMAT);
		expect(atob(secret.slice("whsec_".length))).toHaveLength(32);

		// Stored sealed: no column holds the secret, and the box opens to it only for this id.
		const row = await storedRow(endpoint.id);
		expect(row?.owner_id).toBe(ownerId);
		for (const value of Object.values(row ?? {})) {
			if (typeof value === "string") expect(value).not.toContain(secret.slice(6, 30));
		}
		const box = row?.secret_box ?? "";
		expect(await openWebhookSecret(env.LINK_ID_SECRET, endpoint.id, box)).toBe(secret);
		expect(await openWebhookSecret(env.LINK_ID_SECRET, `whe_${"0".repeat(20)}`, box)).toBeNull();
		expect(row?.previous_secret_box).toBeNull();

		// Never shown again: neither the read nor the list carries it or its box.
		for (const path of [`/api/webhooks/${endpoint.id}`, "/api/webhooks"]) {
			const text = await (await call(path, { headers: bearer(apiKey) })).text();
			expect(text).not.toContain(secret);
			expect(text).not.toContain(box);
			expect(text).not.toMatch(/secret"|secretBox|whsec_/);
		}
	});

	it("keeps the event types given, without duplicates; empty means every type", async () => {
		const { apiKey } = await createOwner();
		const client = ownerClient(apiKey);
		const some = await client.createWebhook({
			url: `${HOOK}/some`,
			eventTypes: ["upload.finalized", "link.revoked", "upload.finalized"],
			enabled: false,
		});
		expect(some.endpoint.eventTypes).toEqual(["upload.finalized", "link.revoked"]);
		expect(some.endpoint.enabled).toBe(false);
		const all = await client.createWebhook({ url: HOOK, eventTypes: [] });
		expect(all.endpoint.eventTypes).toEqual([]);
		expect(all.secret).not.toBe(some.secret);
	});

	it("refuses unknown event types, unknown fields and a missing url (400 validation-failed)", async () => {
		const { apiKey } = await createOwner();
		for (const body of [
			{ url: HOOK, eventTypes: ["upload.started"] },
			{ url: HOOK, eventTypes: [WEBHOOK_TEST_EVENT_TYPE] },
			{ url: HOOK, secret: "whsec_mine" },
			{ url: HOOK, enabled: "yes" },
			{ description: "no url" },
			{ url: 42 },
		]) {
			await expectProblem(
				await sendJson("POST", "/api/webhooks", body, bearer(apiKey)),
				400,
				"validation-failed",
			);
		}
	});

	it("needs an owner key: the admin token is 403, no credentials 401", async () => {
		await expectProblem(
			await sendJson("POST", "/api/webhooks", { url: HOOK }, ADMIN),
			403,
			"forbidden",
		);
		await expectProblem(
			await sendJson("POST", "/api/webhooks", { url: HOOK }),
			401,
			"unauthorized",
		);
	});

	it(`allows ${MAX_WEBHOOKS_PER_OWNER} endpoints per owner; one more is 409 too-many-webhooks`, async () => {
		const { ownerId, apiKey } = await createOwner("Busy");
		const client = ownerClient(apiKey);
		const ids: string[] = [];
		for (let i = 0; i < MAX_WEBHOOKS_PER_OWNER; i++) {
			ids.push((await client.createWebhook({ url: `${HOOK}/${i}` })).endpoint.id);
		}
		await expectProblem(
			await client.createWebhookResponse({ url: HOOK }),
			409,
			"too-many-webhooks",
		);
		expect(await countOf(ownerId)).toBe(MAX_WEBHOOKS_PER_OWNER);
		// Another owner is not affected; deleting one makes room.
		const other = await createOwner();
		await ownerClient(other.apiKey).createWebhook({ url: HOOK });
		await client.deleteWebhook(ids[0] ?? "");
		await client.createWebhook({ url: HOOK });
		expect(await countOf(ownerId)).toBe(MAX_WEBHOOKS_PER_OWNER);
	});
});

describe("races", () => {
	it("concurrent creates at the limit: exactly as many succeed as there is room for", async () => {
		const { ownerId, apiKey } = await createOwner("Racer");
		const client = ownerClient(apiKey);
		for (let i = 0; i < MAX_WEBHOOKS_PER_OWNER - 2; i++)
			await client.createWebhook({ url: `${HOOK}/${i}` });
		const answers = await Promise.all(
			Array.from({ length: 6 }, (_, i) => client.createWebhookResponse({ url: `${HOOK}/r${i}` })),
		);
		const statuses = answers.map((r) => r.status).sort();
		await Promise.all(answers.map((r) => r.body?.cancel()));
		expect(statuses).toEqual([201, 201, 409, 409, 409, 409]);
		expect(await countOf(ownerId)).toBe(MAX_WEBHOOKS_PER_OWNER);
	});

	it("concurrent creates of one URL: exactly one succeeds, the others are 409 webhook-url-duplicate", async () => {
		const { ownerId, client } = await createOwnerClient();
		const answers = await Promise.all(
			Array.from({ length: 10 }, (_, i) =>
				client.createWebhookResponse({ url: i % 2 ? HOOK : "https://RECEIVER.invalid:443/hook" }),
			),
		);
		const statuses = answers.map((r) => r.status).sort();
		expect(statuses).toEqual([201, ...Array(9).fill(409)]);
		for (const r of answers.filter((a) => a.status === 409))
			await expectProblem(r, 409, "webhook-url-duplicate");
		await Promise.all(answers.map((r) => (r.bodyUsed ? null : r.body?.cancel())));
		expect(await countOf(ownerId)).toBe(1);
	});

	it("concurrent rotations: the last secret signs, the one it replaced is the previous", async () => {
		const { client, endpoint } = await ownerWithEndpoint();
		const [a, b] = await Promise.all([
			client.rotateWebhookSecret(endpoint.id),
			client.rotateWebhookSecret(endpoint.id),
		]);
		const row = await storedRow(endpoint.id);
		const current = await openWebhookSecret(env.LINK_ID_SECRET, endpoint.id, row?.secret_box ?? "");
		const previous = await openWebhookSecret(
			env.LINK_ID_SECRET,
			endpoint.id,
			row?.previous_secret_box ?? "",
		);
		// Whichever committed second kept the first one's secret as its previous.
		expect([current, previous].sort()).toEqual([a.secret, b.secret].sort());
	});
});

describe("the SSRF guard", () => {
	// The test configuration leaves WEBHOOK_ALLOW_HTTP_LOOPBACK at "0" (production):
	// loopback is refused here; test/domain/ssrf.test.ts covers the "1" case.
	const REFUSED: [string, RegExp][] = [
		["http://example.com/hook", /https/],
		["http://127.0.0.1:8787/hook", /[Ll]oopback/],
		["http://localhost:8787/hook", /[Ll]oopback/],
		["https://localhost/hook", /[Ll]oopback/],
		["https://[::1]/hook", /[Ll]oopback/],
		["https://10.1.2.3/hook", /private/],
		["https://192.168.0.1/hook", /private/],
		["https://169.254.169.254/latest/meta-data/", /link-local/],
		["https://metadata.google.internal/computeMetadata/v1/", /metadata/],
		["https://2130706433/", /[Ll]oopback/],
		["https://[::ffff:10.0.0.1]/", /IPv4-mapped/],
		// IPv4-translated IPv6 (::ffff:0:0/96) carrying loopback and the metadata address.
		["https://[::ffff:0:7f00:1]/", /IPv4-translated.*127\.0\.0\.1.*loopback/],
		["https://[::ffff:0:a9fe:a9fe]/", /IPv4-translated.*169\.254\.169\.254.*link-local/],
		["https://[64:ff9b:1::a00:1]/", /NAT64.*10\.0\.0\.1.*private/],
		["https://[2001:0:4136:e378::f5ff:fffe]/", /Teredo.*10\.0\.0\.1.*private/],
		["https://[fd00::1]/", /unique-local/],
		["https://user:pw@example.com/hook", /credentials/],
		["ftp://example.com/", /https/],
		[`https://example.com/${"a".repeat(2048)}`, /2048/],
	];

	it("refuses each URL at create with 400 webhook-url-refused and the reason; nothing is stored", async () => {
		const { ownerId, apiKey } = await createOwner("SSRF");
		for (const [url, reason] of REFUSED) {
			const problem = await expectProblem(
				await sendJson("POST", "/api/webhooks", { url }, bearer(apiKey)),
				400,
				"webhook-url-refused",
			);
			expect(problem.detail, url).toMatch(reason);
		}
		expect(await countOf(ownerId)).toBe(0);
	});

	it("refuses each URL at update too, leaving the endpoint as it was", async () => {
		const { apiKey, endpoint, client } = await ownerWithEndpoint();
		for (const [url, reason] of REFUSED) {
			const problem = await expectProblem(
				await sendJson("PATCH", `/api/webhooks/${endpoint.id}`, { url }, bearer(apiKey)),
				400,
				"webhook-url-refused",
			);
			expect(problem.detail, url).toMatch(reason);
		}
		expect((await client.getWebhook(endpoint.id)).url).toBe(HOOK);
	});

	it("stores the URL as the parser normalizes it", async () => {
		const { client } = await createOwnerClient();
		const { endpoint } = await client.createWebhook({
			url: "  HTTPS://Receiver.INVALID:443/Hook  ",
		});
		expect(endpoint.url).toBe("https://receiver.invalid/Hook");
	});
});

async function createOwnerClient() {
	const owner = await createOwner();
	return { ...owner, client: ownerClient(owner.apiKey) };
}

describe("listing, reading, updating, deleting", () => {
	it("lists the owner's endpoints newest first, two per page, and none of another owner's", async () => {
		const { client } = await createOwnerClient();
		const other = await ownerWithEndpoint();
		const created: string[] = [];
		for (let i = 0; i < 3; i++)
			created.push((await client.createWebhook({ url: `${HOOK}/${i}` })).endpoint.id);
		const first = await client.listWebhooks({ limit: 2 });
		expect(first.items).toHaveLength(2);
		expect(first.nextCursor).not.toBeNull();
		const second = await client.listWebhooks({ limit: 2, cursor: first.nextCursor });
		expect(second.nextCursor).toBeNull();
		const ids = [...first.items, ...second.items].map((e) => e.id);
		expect(ids).toEqual([...created].reverse());
		expect(ids).not.toContain(other.endpoint.id);
		await expectProblem(
			await call("/api/webhooks?cursor=bm9wZQ", { headers: bearer(other.apiKey) }),
			400,
			"invalid-cursor",
		);
		await expectProblem(
			await call("/api/webhooks?limit=101", { headers: bearer(other.apiKey) }),
			400,
			"validation-failed",
		);
	});

	it("reads and updates the fields given; the others stay", async () => {
		const { client, endpoint } = await ownerWithEndpoint();
		expect(await client.getWebhook(endpoint.id)).toEqual(endpoint);
		const updated = await client.updateWebhook(endpoint.id, {
			description: "Renamed",
			eventTypes: ["link.paused", "link.resumed"],
		});
		expect(updated).toMatchObject({
			id: endpoint.id,
			url: HOOK,
			description: "Renamed",
			eventTypes: ["link.paused", "link.resumed"],
			enabled: true,
			createdAt: endpoint.createdAt,
		});
		expect(updated.updatedAt >= endpoint.updatedAt).toBe(true);
		const moved = await client.updateWebhook(endpoint.id, { url: "https://other.invalid/x" });
		expect(moved).toMatchObject({ url: "https://other.invalid/x", description: "Renamed" });
		// An empty body changes nothing.
		expect(await client.updateWebhook(endpoint.id, {})).toMatchObject({
			url: "https://other.invalid/x",
			eventTypes: ["link.paused", "link.resumed"],
		});
		expect(await client.updateWebhook(endpoint.id, { eventTypes: [] })).toMatchObject({
			eventTypes: [],
		});
	});

	it("re-enabling clears the disabled reason and the failure count", async () => {
		const { client, endpoint } = await ownerWithEndpoint();
		const now = new Date().toISOString();
		await Endpoints.markFailed(env.DB, endpoint.id, now);
		await Endpoints.markFailed(env.DB, endpoint.id, now);
		await Endpoints.disable(env.DB, endpoint.id, "The receiver answered 410 Gone.", now);
		expect(await client.getWebhook(endpoint.id)).toMatchObject({
			enabled: false,
			disabledReason: "The receiver answered 410 Gone.",
			failures: 2,
		});
		// Other fields do not touch the delivery state.
		expect(await client.updateWebhook(endpoint.id, { description: "still off" })).toMatchObject({
			enabled: false,
			disabledReason: "The receiver answered 410 Gone.",
			failures: 2,
		});
		expect(await client.updateWebhook(endpoint.id, { enabled: true })).toMatchObject({
			enabled: true,
			disabledReason: null,
			failures: 0,
		});
		expect(await client.updateWebhook(endpoint.id, { enabled: false })).toMatchObject({
			enabled: false,
			disabledReason: null,
		});
	});

	it("an update does not overwrite a failure counted meanwhile", async () => {
		const { client, endpoint } = await ownerWithEndpoint();
		await Endpoints.markFailed(env.DB, endpoint.id, new Date().toISOString());
		await client.updateWebhook(endpoint.id, { url: "https://moved.invalid/" });
		expect((await storedRow(endpoint.id))?.failures).toBe(1);
	});

	it("deletes (204); the endpoint is then 404 everywhere", async () => {
		const { client, apiKey, endpoint } = await ownerWithEndpoint();
		const res = await call(`/api/webhooks/${endpoint.id}`, {
			method: "DELETE",
			headers: bearer(apiKey),
		});
		expect(res.status).toBe(204);
		expect(await storedRow(endpoint.id)).toBeNull();
		await expectProblem(await client.getWebhookResponse(endpoint.id), 404, "webhook-not-found");
		await expectProblem(
			await call(`/api/webhooks/${endpoint.id}`, { method: "DELETE", headers: bearer(apiKey) }),
			404,
			"webhook-not-found",
		);
		await expectProblem(
			await client.updateWebhookResponse(endpoint.id, { description: "x" }),
			404,
			"webhook-not-found",
		);
	});
});

describe("one endpoint per URL and owner", () => {
	it("refuses a second endpoint with the URL (409 webhook-url-duplicate), however it is spelled; another owner or another path is fine", async () => {
		const { ownerId, apiKey, client, endpoint } = await ownerWithEndpoint();
		for (const url of [
			HOOK,
			"HTTPS://Receiver.INVALID:443/hook",
			"https://receiver.invalid/hook#fragment",
			"  https://receiver.invalid/hook",
		]) {
			const problem = await expectProblem(
				await sendJson("POST", "/api/webhooks", { url }, bearer(apiKey)),
				409,
				"webhook-url-duplicate",
			);
			expect(problem.detail, url).toContain(endpoint.id);
		}
		expect(await countOf(ownerId)).toBe(1);
		// A disabled endpoint holds its URL too.
		await client.updateWebhook(endpoint.id, { enabled: false });
		await expectProblem(await client.createWebhookResponse({ url: HOOK }), 409);
		// Other paths, queries and owners are other endpoints.
		await client.createWebhook({ url: `${HOOK}/2` });
		await client.createWebhook({ url: `${HOOK}?team=2` });
		await client.createWebhook({ url: "https://receiver.invalid/Hook" });
		await ownerClient((await createOwner()).apiKey).createWebhook({ url: HOOK });
		// Deleting the endpoint frees its URL.
		await client.deleteWebhook(endpoint.id);
		await client.createWebhook({ url: HOOK });
		expect(await countOf(ownerId)).toBe(4);
	});

	it("refuses an update to another endpoint's URL, leaving the endpoint unchanged; its own URL is fine", async () => {
		const { apiKey, client, endpoint } = await ownerWithEndpoint();
		const second = (await client.createWebhook({ url: `${HOOK}/second` })).endpoint;
		const problem = await expectProblem(
			await sendJson(
				"PATCH",
				`/api/webhooks/${second.id}`,
				{ url: "https://RECEIVER.invalid/hook", description: "moved" },
				bearer(apiKey),
			),
			409,
			"webhook-url-duplicate",
		);
		expect(problem.detail).toContain(endpoint.id);
		expect(await client.getWebhook(second.id)).toMatchObject({
			url: `${HOOK}/second`,
			description: "",
		});
		expect(
			await client.updateWebhook(endpoint.id, { url: HOOK, description: "same" }),
		).toMatchObject({ url: HOOK, description: "same" });
		// The URL it left is free again.
		expect(await client.updateWebhook(second.id, { url: `${HOOK}/third` })).toMatchObject({
			url: `${HOOK}/third`,
		});
		expect((await client.createWebhook({ url: `${HOOK}/second` })).endpoint.url).toBe(
			`${HOOK}/second`,
		);
	});
});

describe("ownership", () => {
	it("another owner's endpoint is 404 webhook-not-found for every route, and is left unchanged", async () => {
		const mine = await ownerWithEndpoint();
		const intruder = await createOwner("Intruder");
		const id = mine.endpoint.id;
		const as = bearer(intruder.apiKey);
		const attempts: [string, string, unknown][] = [
			["GET", `/api/webhooks/${id}`, undefined],
			["PATCH", `/api/webhooks/${id}`, { url: "https://evil.invalid/" }],
			["DELETE", `/api/webhooks/${id}`, undefined],
			["POST", `/api/webhooks/${id}/rotate`, {}],
			["POST", `/api/webhooks/${id}/test`, undefined],
		];
		for (const [method, path, body] of attempts) {
			const res =
				body === undefined
					? await call(path, { method, headers: as })
					: await sendJson(method, path, body, as);
			await expectProblem(res, 404, "webhook-not-found");
		}
		const row = await storedRow(id);
		expect(row?.url).toBe(HOOK);
		expect(row?.previous_secret_box).toBeNull();
	});

	it("malformed or unknown ids are 404 webhook-not-found; an overlong one is 400", async () => {
		const { apiKey } = await createOwner();
		for (const id of [
			`whe_${"0".repeat(20)}`,
			"whe_short",
			`whe_${"A".repeat(20)}`,
			`lnk_${"0".repeat(26)}`,
			"x",
		]) {
			await expectProblem(
				await call(`/api/webhooks/${id}`, { headers: bearer(apiKey) }),
				404,
				"webhook-not-found",
			);
		}
		await expectProblem(
			await call(`/api/webhooks/whe_${"0".repeat(80)}`, { headers: bearer(apiKey) }),
			400,
			"validation-failed",
		);
	});

	it("an admin reads, lists, updates, tests and deletes any owner's endpoint", async () => {
		const mine = await ownerWithEndpoint();
		const admin = adminClient();
		expect(await admin.getWebhook(mine.endpoint.id)).toEqual(mine.endpoint);
		const all = await admin.all((page) => admin.listWebhooks(page));
		expect(all.map((e) => e.id)).toContain(mine.endpoint.id);
		expect(await admin.updateWebhook(mine.endpoint.id, { enabled: false })).toMatchObject({
			enabled: false,
		});
		expect((await admin.sendTestWebhook(mine.endpoint.id)).eventId).toMatch(/^evt_/);
		await admin.deleteWebhook(mine.endpoint.id);
		expect(await storedRow(mine.endpoint.id)).toBeNull();
	});
});

describe("rotating the secret", () => {
	it("issues a new secret; the old one stays sealed as the previous until now + grace", async () => {
		const { client, apiKey, endpoint, secret: first } = await ownerWithEndpoint();
		const before = Date.now();
		const res = await sendJson(
			"POST",
			`/api/webhooks/${endpoint.id}/rotate`,
			{ graceSeconds: 3600 },
			bearer(apiKey),
		);
		expect(res.status).toBe(201);
		expect(res.headers.get("cache-control")).toBe("no-store");
		const rotated = await bodyOf<{ endpoint: { secretRotatingUntil: string }; secret: string }>(
			res,
		);
		expect(rotated.secret).toMatch(SECRET_FORMAT);
		expect(rotated.secret).not.toBe(first);
		const until = Date.parse(rotated.endpoint.secretRotatingUntil);
		expect(until).toBeGreaterThanOrEqual(before + 3600_000);
		expect(until).toBeLessThanOrEqual(Date.now() + 3600_000);

		const row = await storedRow(endpoint.id);
		expect(row?.previous_until).toBe(rotated.endpoint.secretRotatingUntil);
		expect(await openWebhookSecret(env.LINK_ID_SECRET, endpoint.id, row?.secret_box ?? "")).toBe(
			rotated.secret,
		);
		expect(
			await openWebhookSecret(env.LINK_ID_SECRET, endpoint.id, row?.previous_secret_box ?? ""),
		).toBe(first);
		expect((await client.getWebhook(endpoint.id)).secretRotatingUntil).toBe(
			rotated.endpoint.secretRotatingUntil,
		);
	});

	it("defaults to a grace of one day; a second rotation keeps the secret it replaces", async () => {
		const { client, endpoint } = await ownerWithEndpoint();
		const before = Date.now();
		const one = await client.rotateWebhookSecret(endpoint.id);
		const until = Date.parse(one.endpoint.secretRotatingUntil ?? "");
		expect(until).toBeGreaterThanOrEqual(before + 86_400_000);
		expect(until).toBeLessThanOrEqual(Date.now() + 86_400_000);
		const two = await client.rotateWebhookSecret(endpoint.id, { graceSeconds: 0 });
		const row = await storedRow(endpoint.id);
		expect(await openWebhookSecret(env.LINK_ID_SECRET, endpoint.id, row?.secret_box ?? "")).toBe(
			two.secret,
		);
		expect(
			await openWebhookSecret(env.LINK_ID_SECRET, endpoint.id, row?.previous_secret_box ?? ""),
		).toBe(one.secret);
	});

	it("refuses a grace over 7 days, negative or fractional (400)", async () => {
		const { apiKey, endpoint } = await ownerWithEndpoint();
		for (const graceSeconds of [7 * 86_400 + 1, -1, 1.5, "60"]) {
			await expectProblem(
				await sendJson(
					"POST",
					`/api/webhooks/${endpoint.id}/rotate`,
					{ graceSeconds },
					bearer(apiKey),
				),
				400,
				"validation-failed",
			);
		}
		const week = await ownerClient(apiKey).rotateWebhookSecret(endpoint.id, {
			graceSeconds: 7 * 86_400,
		});
		expect(week.secret).toMatch(SECRET_FORMAT);
	});
});

describe("the test event", () => {
	it("answers 202 with the event id", async () => {
		const { client, endpoint } = await ownerWithEndpoint();
		const { eventId } = await client.sendTestWebhook(endpoint.id);
		expect(eventId).toMatch(/^evt_[0-9a-z]{26}$/);
	});

	it("puts one webhook.test event for this endpoint only on the webhook-deliveries queue", async () => {
		const { ownerId, apiKey, endpoint } = await ownerWithEndpoint();
		const sent: unknown[] = [];
		const queue = {
			send: async (body: unknown) => {
				sent.push(body);
			},
			sendBatch: async () => {
				throw new Error("not expected");
			},
		};
		// The same app and bindings, with the queue replaced by one that records what is sent.
		const capturing: Env = Object.create(env);
		Object.defineProperty(capturing, "WEBHOOK_DELIVERIES", { value: queue });
		const ctx = createExecutionContext();
		const before = Date.now();
		const res = await app.fetch(
			new Request(`${ORIGIN}/api/webhooks/${endpoint.id}/test`, {
				method: "POST",
				headers: bearer(apiKey),
			}),
			capturing,
			ctx,
		);
		await waitOnExecutionContext(ctx);
		expect(res.status).toBe(202);
		const { eventId } = await bodyOf<{ eventId: string }>(res);
		expect(sent).toHaveLength(1);
		const message = v.parse(WebhookEventMessage, sent[0]);
		expect(message).toEqual({
			v: 1,
			kind: "event",
			id: eventId,
			ownerId,
			linkId: null,
			payload: {
				type: WEBHOOK_TEST_EVENT_TYPE,
				timestamp: expect.any(String),
				data: { endpointId: endpoint.id, message: "This is a test event." },
			},
			onlyEndpointId: endpoint.id,
		});
		const at = Date.parse(message.payload.timestamp);
		expect(at).toBeGreaterThanOrEqual(before - 1000);
		expect(at).toBeLessThanOrEqual(Date.now());
		expect(new Date(at).toISOString()).toBe(message.payload.timestamp);
	});
});

describe("documentation", () => {
	it("the OpenAPI document lists the webhook routes and /docs/problems the codes", async () => {
		const spec = await bodyOf<{ paths: Record<string, Record<string, unknown>> }>(
			await call("/openapi.json"),
		);
		expect(Object.keys(spec.paths["/api/webhooks"] ?? {}).sort()).toEqual(["get", "post"]);
		expect(Object.keys(spec.paths["/api/webhooks/{endpointId}"] ?? {}).sort()).toEqual([
			"delete",
			"get",
			"patch",
		]);
		expect(spec.paths["/api/webhooks/{endpointId}/rotate"]).toHaveProperty("post");
		expect(spec.paths["/api/webhooks/{endpointId}/test"]).toHaveProperty("post");
		const problems = await (await call("/docs/problems")).text();
		for (const code of ["webhook-not-found", "webhook-url-refused", "too-many-webhooks"]) {
			expect(problems).toContain(`id="${code}"`);
		}
	});
});

describe("seeing the signing secret again", () => {
	it("answers the owner and an admin the current secret (no-store), the new one after a rotation; nobody else", async () => {
		const { client, apiKey, endpoint, secret } = await ownerWithEndpoint();
		const res = await call(`/api/webhooks/${endpoint.id}/secret`, { headers: bearer(apiKey) });
		expect(res.status).toBe(200);
		expect(res.headers.get("cache-control")).toBe("no-store");
		expect(await res.json()).toEqual({ secret });
		expect(await adminClient().getWebhookSecret(endpoint.id)).toBe(secret);
		const { secret: rotated } = await client.rotateWebhookSecret(endpoint.id);
		expect(await client.getWebhookSecret(endpoint.id)).toBe(rotated);

		const other = await createOwner("Other");
		const refused = await call(`/api/webhooks/${endpoint.id}/secret`, {
			headers: bearer(other.apiKey),
		});
		expect(refused.status).toBe(404);
		expect(((await refused.json()) as { code: string }).code).toBe("webhook-not-found");
		expect((await call(`/api/webhooks/${endpoint.id}/secret`)).status).toBe(401);
	});
});
