/**
 * Owner routes for webhook endpoints (docs/webhooks.md): create (the signing
 * secret is shown once), list, read, update, delete, rotate the secret, send
 * a test event. The secret is stored only sealed (src/lib/seal.ts). An admin
 * may read and act on any endpoint; creating one needs an owner key.
 * Another owner's endpoint is 404, never 403. (The delivery log:
 * api/webhook-deliveries.ts.)
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import type { WebhookEndpointView } from "../../contract";
import { WEBHOOK_TEST_EVENT_TYPE } from "../../contract/enums";
import { ListQuery } from "../../contract/schemas";
import {
	CreatedWebhookEndpoint,
	CreateWebhookBody,
	PatchWebhookBody,
	RotateWebhookBody,
	WebhookEndpointList,
	WebhookEndpointParam,
	WebhookEndpointResponse,
	WebhookSecretResponse,
	WebhookTestAccepted,
} from "../../contract/webhook-schemas";
import * as Endpoints from "../../d1/webhook-endpoints";
import { ProblemError, problem } from "../../domain/problems";
import { checkWebhookUrl } from "../../domain/ssrf";
import { endpointUrlKey, MAX_WEBHOOKS_PER_OWNER, previousSecretUntil } from "../../domain/webhooks";
import { newWebhookEndpointId, newWebhookEventId, newWebhookSecret } from "../../lib/ids";
import { openWebhookSecret, sealWebhookSecret } from "../../lib/seal";
import * as WebhookDeliveries from "../../queues/webhook-deliveries";
import { BODY_PROBLEMS, doc, LIST_PROBLEMS } from "../http/openapi";
import { pageOf, wirePage } from "../http/pagination";
import { jsonBody, valid } from "../http/validation";
import { endpointOf, notFound } from "../http/webhook-endpoint";
import { admitWebhookSend } from "../http/webhook-sends";
import { ownerOrAdmin } from "../middleware/auth";

const TAGS = ["webhooks"];

/** What a route naming one endpoint may answer. */
const ENDPOINT_PROBLEMS = ["unauthorized", "webhook-not-found", "validation-failed"] as const;

const duplicate = (d: Endpoints.Duplicate) =>
	new ProblemError(
		problem(
			"webhook-url-duplicate",
			`Endpoint ${d.duplicateOf} already has this URL; change that one instead.`,
		),
	);

/** The endpoint as the wire shows it: never a secret or a sealed box. */
export function endpointView(e: Endpoints.EndpointRow): WebhookEndpointView {
	return {
		id: e.id,
		url: e.url,
		description: e.description,
		eventTypes: e.eventTypes,
		enabled: e.enabled,
		disabledReason: e.disabledReason,
		failures: e.failures,
		secretRotatingUntil: e.previousUntil,
		createdAt: e.createdAt,
		updatedAt: e.updatedAt,
	};
}

/** The URL as it will be stored, or 400 `webhook-url-refused` with the reason. */
function checkedUrl(env: Env, url: string): string {
	const allowHttpLoopback = String(env.WEBHOOK_ALLOW_HTTP_LOOPBACK) === "1";
	const check = checkWebhookUrl(url, { allowHttpLoopback });
	if (!check.ok) throw new ProblemError(problem("webhook-url-refused", check.reason));
	return check.url;
}

/** The row again after a write, or 404 if it was deleted meanwhile. */
async function reread(db: D1Database, id: string): Promise<Endpoints.EndpointRow> {
	const row = await Endpoints.get(db, id);
	if (!row) throw notFound();
	return row;
}

export const webhooks = new Hono<AppEnv>()
	.use(ownerOrAdmin)
	.post(
		"/",
		doc({
			summary: "Register a webhook endpoint (its signing secret is shown once)",
			tags: TAGS,
			ok: { 201: CreatedWebhookEndpoint },
			problems: [
				"unauthorized",
				"forbidden",
				"webhook-url-refused",
				"webhook-url-duplicate",
				"too-many-webhooks",
				...BODY_PROBLEMS,
			],
		}),
		jsonBody,
		valid("json", CreateWebhookBody),
		async (c) => {
			const caller = c.var.caller;
			if (caller.kind !== "owner") {
				throw new ProblemError(
					problem("forbidden", "Webhook endpoints are created with an owner API key."),
				);
			}
			const input = c.req.valid("json");
			const url = checkedUrl(c.env, input.url);
			const id = newWebhookEndpointId();
			const secret = newWebhookSecret();
			const now = new Date().toISOString();
			const row: Endpoints.EndpointRow = {
				id,
				ownerId: caller.ownerId,
				url,
				description: input.description ?? "",
				eventTypes: input.eventTypes ?? [],
				enabled: input.enabled ?? true,
				disabledReason: null,
				secretBox: await sealWebhookSecret(c.env.LINK_ID_SECRET, id, secret),
				previousSecretBox: null,
				previousUntil: null,
				failures: 0,
				createdAt: now,
				updatedAt: now,
			};
			const inserted = await Endpoints.insertUnderLimit(
				c.env.DB,
				row,
				MAX_WEBHOOKS_PER_OWNER,
				endpointUrlKey(url),
			);
			if (inserted === "full") {
				throw new ProblemError(
					problem(
						"too-many-webhooks",
						`An owner may register at most ${MAX_WEBHOOKS_PER_OWNER} webhook endpoints; delete one first.`,
					),
				);
			}
			if (inserted !== "inserted") throw duplicate(inserted);
			c.header("Location", `/api/webhooks/${id}`);
			c.header("Cache-Control", "no-store");
			return c.json({ endpoint: endpointView(row), secret }, 201);
		},
	)
	.get(
		"/",
		doc({
			summary: "List your webhook endpoints, newest first (with the admin token: everyone's)",
			tags: TAGS,
			ok: { 200: WebhookEndpointList },
			problems: [...LIST_PROBLEMS],
		}),
		valid("query", ListQuery),
		async (c) => {
			const { after, limit } = pageOf(c.req.valid("query"));
			const caller = c.var.caller;
			const owner = caller.kind === "owner" ? caller.ownerId : undefined;
			const page = await Endpoints.list(c.env.DB, owner, after, limit);
			return c.json(wirePage({ items: page.items.map(endpointView), next: page.next }));
		},
	)
	.get(
		"/:endpointId",
		doc({
			summary: "Read a webhook endpoint (never its secret)",
			tags: TAGS,
			ok: { 200: WebhookEndpointResponse },
			problems: [...ENDPOINT_PROBLEMS],
		}),
		valid("param", WebhookEndpointParam),
		async (c) => {
			const row = await endpointOf(c, c.req.valid("param").endpointId);
			return c.json({ endpoint: endpointView(row) });
		},
	)
	.patch(
		"/:endpointId",
		doc({
			summary:
				"Update a webhook endpoint (URL, description, event types, enabled; enabling clears the disabled reason and the failure count)",
			tags: TAGS,
			ok: { 200: WebhookEndpointResponse },
			problems: [
				"unauthorized",
				"webhook-not-found",
				"webhook-url-refused",
				"webhook-url-duplicate",
				...BODY_PROBLEMS,
			],
		}),
		valid("param", WebhookEndpointParam),
		jsonBody,
		valid("json", PatchWebhookBody),
		async (c) => {
			const row = await endpointOf(c, c.req.valid("param").endpointId);
			const input = c.req.valid("json");
			const url = input.url !== undefined ? checkedUrl(c.env, input.url) : undefined;
			const patch: Endpoints.EndpointPatch = {
				...(url !== undefined ? { url: { href: url, key: endpointUrlKey(url) } } : {}),
				...(input.description !== undefined ? { description: input.description } : {}),
				...(input.eventTypes !== undefined ? { eventTypes: input.eventTypes } : {}),
				...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
			};
			const now = new Date().toISOString();
			const patched = await Endpoints.patch(c.env.DB, row.id, patch, now);
			if (patched === "missing") throw notFound();
			if (patched !== "patched") throw duplicate(patched);
			return c.json({ endpoint: endpointView(await reread(c.env.DB, row.id)) });
		},
	)
	.get(
		"/:endpointId/secret",
		doc({
			summary: "The endpoint's current signing secret (kept sealed; for the owner to see again)",
			tags: TAGS,
			ok: { 200: WebhookSecretResponse },
			problems: [...ENDPOINT_PROBLEMS],
		}),
		valid("param", WebhookEndpointParam),
		async (c) => {
			const row = await endpointOf(c, c.req.valid("param").endpointId);
			const secret = await openWebhookSecret(c.env.LINK_ID_SECRET, row.id, row.secretBox);
			if (!secret) throw new Error(`webhook endpoint ${row.id}: its secret does not open`);
			c.header("Cache-Control", "no-store");
			return c.json({ secret });
		},
	)
	.delete(
		"/:endpointId",
		doc({
			summary: "Delete a webhook endpoint (no more deliveries to it)",
			tags: TAGS,
			ok: { 204: null },
			problems: [...ENDPOINT_PROBLEMS],
		}),
		valid("param", WebhookEndpointParam),
		async (c) => {
			const row = await endpointOf(c, c.req.valid("param").endpointId);
			if (!(await Endpoints.remove(c.env.DB, row.id))) throw notFound();
			return c.body(null, 204);
		},
	)
	.post(
		"/:endpointId/rotate",
		doc({
			summary:
				"Rotate the signing secret: a new one (shown once); the old one also signs for graceSeconds (default 86400, at most 7 days)",
			tags: TAGS,
			ok: { 201: CreatedWebhookEndpoint },
			problems: ["unauthorized", "webhook-not-found", ...BODY_PROBLEMS],
		}),
		valid("param", WebhookEndpointParam),
		jsonBody,
		valid("json", RotateWebhookBody),
		async (c) => {
			let row = await endpointOf(c, c.req.valid("param").endpointId);
			const grace = c.req.valid("json").graceSeconds;
			const secret = newWebhookSecret();
			const box = await sealWebhookSecret(c.env.LINK_ID_SECRET, row.id, secret);
			// Compare-and-set on the current box: a concurrent rotation makes this one start over
			// from the secret that won, so the one it replaced still signs during the grace.
			for (let attempt = 0; ; attempt++) {
				const now = Date.now();
				const until = new Date(previousSecretUntil(now, grace)).toISOString();
				const iso = new Date(now).toISOString();
				if (await Endpoints.rotateSecret(c.env.DB, row.id, row.secretBox, box, until, iso)) break;
				if (attempt >= 2) throw new Error(`webhook ${row.id}: rotation kept losing a race`);
				row = await reread(c.env.DB, row.id);
			}
			c.header("Cache-Control", "no-store");
			return c.json({ endpoint: endpointView(await reread(c.env.DB, row.id)), secret }, 201);
		},
	)
	.post(
		"/:endpointId/test",
		doc({
			summary: `Send a test event (${WEBHOOK_TEST_EVENT_TYPE}) to this endpoint only (202: it is queued)`,
			description: "Counts against the owner's WEBHOOK_SENDS_PER_MINUTE, shared with redeliveries.",
			tags: TAGS,
			ok: { 202: WebhookTestAccepted },
			problems: [
				"unauthorized",
				"webhook-not-found",
				"too-many-webhook-sends",
				"validation-failed",
			],
		}),
		valid("param", WebhookEndpointParam),
		async (c) => {
			const row = await endpointOf(c, c.req.valid("param").endpointId);
			await admitWebhookSend(c.env, row.ownerId);
			const message: WebhookDeliveries.WebhookEventMessage = {
				v: 1,
				kind: "event",
				id: newWebhookEventId(),
				ownerId: row.ownerId,
				linkId: null,
				payload: {
					type: WEBHOOK_TEST_EVENT_TYPE,
					timestamp: new Date().toISOString(),
					data: { endpointId: row.id, message: "This is a test event." },
				},
				onlyEndpointId: row.id,
			};
			await WebhookDeliveries.send(c.env.WEBHOOK_DELIVERIES, message);
			return c.json({ eventId: message.id }, 202);
		},
	);
