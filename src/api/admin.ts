/** Admin routes: owners and the global link index. (Dead letters: api/dead-letters.ts.) */
import { Hono } from "hono";
import {
	AdminListQuery,
	AuditQuery,
	AuditResponse,
	CreatedOwner,
	CreateOwnerBody,
	LinkIdParam,
	LinkList,
} from "../contract/schemas";
import * as OwnersTable from "../d1/owners";
import { unwrap } from "../do/stub";
import { sha256Hex } from "../lib/crypto";
import { newApiKey, newOwnerId } from "../lib/ids";
import { adminOnly } from "./auth";
import type { AppEnv } from "./context";
import { stubFor } from "./do-calls";
import { doc } from "./docs";
import { linkPage } from "./links";
import { jsonBody, valid } from "./validation";

const TAGS = ["admin"];

export const admin = new Hono<AppEnv>()
	.use(adminOnly)
	.post(
		"/owners",
		doc({
			summary: "Create an owner and its API key (the key is shown once)",
			tags: TAGS,
			security: "admin",
			ok: { 201: CreatedOwner },
			problems: [
				"unauthorized",
				"forbidden",
				"validation-failed",
				"malformed-json",
				"unsupported-media-type",
			],
		}),
		jsonBody,
		valid("json", CreateOwnerBody),
		async (c) => {
			const { name, email } = c.req.valid("json");
			const owner = {
				id: newOwnerId(),
				name,
				email: email ?? null,
				createdAt: new Date().toISOString(),
			};
			const apiKey = newApiKey();
			await OwnersTable.createWithKey(c.env.DB, owner, {
				keyHash: await sha256Hex(apiKey),
				keyPrefix: apiKey.slice(0, 8),
			});
			c.header("Location", `/api/admin/owners/${owner.id}`);
			c.header("Cache-Control", "no-store");
			return c.json({ owner, apiKey }, 201);
		},
	)
	.get(
		"/links",
		doc({
			summary: "List every link (filter by state or owner)",
			tags: TAGS,
			security: "admin",
			ok: { 200: LinkList },
			problems: ["unauthorized", "forbidden", "invalid-cursor", "validation-failed"],
		}),
		valid("query", AdminListQuery),
		async (c) => {
			const { state, ownerId, ...page } = c.req.valid("query");
			const filter = { ...(state ? { state } : {}), ...(ownerId ? { ownerId } : {}) };
			return c.json(await linkPage(c.env.DB, filter, page));
		},
	)
	.get(
		"/links/:linkId/audit",
		doc({
			summary:
				"Audit one link against the invariants (DO state, R2 objects, D1 rows); ?sweep=1 sweeps first",
			tags: TAGS,
			security: "admin",
			ok: { 200: AuditResponse },
			problems: ["unauthorized", "forbidden", "link-not-found"],
		}),
		valid("param", LinkIdParam),
		valid("query", AuditQuery),
		async (c) => {
			const stub = await stubFor(c, c.req.valid("param").linkId);
			return c.json(unwrap(await stub.audit({ sweep: c.req.valid("query").sweep === "1" })));
		},
	);
