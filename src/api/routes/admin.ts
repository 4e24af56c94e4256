/** Admin routes: owners and their keys, and the global link index. (Dead letters: api/dead-letters.ts.) */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import {
	AdminListQuery,
	AuditQuery,
	AuditResponse,
	CreatedOwner,
	CreateOwnerBody,
	LinkIdParam,
	LinkList,
	ListQuery,
	OwnerIdParam,
	OwnerList,
	OwnerResponse,
	RotatedOwnerKey,
} from "../../contract/schemas";
import * as OwnersTable from "../../d1/owners";
import { unwrap } from "../../do/stub";
import { newOwner, storedApiKey } from "../../domain/owners";
import { ProblemError, problem } from "../../domain/problems";
import { sha256Hex } from "../../lib/crypto";
import { isOwnerId, newApiKey, newOwnerId } from "../../lib/ids";
import { linkPage } from "../http/listings";
import { ADMIN_LIST_PROBLEMS, adminDoc } from "../http/openapi";
import { pageOf, wirePage } from "../http/pagination";
import { jsonBody, valid } from "../http/validation";
import { adminOnly } from "../middleware/auth";
import { stubFor } from "../middleware/do-calls";

/** A new API key and what is stored of it (its hash and first 8 characters); the key is shown once. */
async function newKey(): Promise<{ apiKey: string; stored: OwnersTable.ApiKeyRow }> {
	const apiKey = newApiKey();
	return { apiKey, stored: storedApiKey(apiKey, await sha256Hex(apiKey)) };
}

/** What a route naming one owner may answer. */
const OWNER_PROBLEMS = [
	"unauthorized",
	"forbidden",
	"owner-not-found",
	"validation-failed",
] as const;

const ownerNotFound = () => new ProblemError(problem("owner-not-found"));

/**
 * The owner id of a path, or 404 `owner-not-found`. Like a link id that fails
 * its MAC, an id that cannot be an owner's is refused without a D1 read.
 */
function ownerIdOf(param: { ownerId: string }): string {
	if (!isOwnerId(param.ownerId)) throw ownerNotFound();
	return param.ownerId;
}

export const admin = new Hono<AppEnv>()
	.use(adminOnly)
	.post(
		"/owners",
		adminDoc({
			summary: "Create an owner and its API key (the key is shown once)",
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
			const owner = newOwner(c.req.valid("json"), newOwnerId(), new Date().toISOString());
			const { apiKey, stored } = await newKey();
			await OwnersTable.createWithKey(c.env.DB, owner, stored);
			c.header("Location", `/api/admin/owners/${owner.id}`);
			c.header("Cache-Control", "no-store");
			return c.json({ owner, apiKey }, 201);
		},
	)
	.get(
		"/owners",
		adminDoc({
			summary: "List owners, newest first (each with its live key's prefix and its link count)",
			ok: { 200: OwnerList },
			problems: [...ADMIN_LIST_PROBLEMS],
		}),
		valid("query", ListQuery),
		async (c) => {
			const { after, limit } = pageOf(c.req.valid("query"));
			const page = await OwnersTable.list(c.env.DB, after, limit);
			return c.json(wirePage(page));
		},
	)
	.get(
		"/owners/:ownerId",
		adminDoc({
			summary: "Read an owner (its live key's prefix, never the key)",
			ok: { 200: OwnerResponse },
			problems: [...OWNER_PROBLEMS],
		}),
		valid("param", OwnerIdParam),
		async (c) => {
			const owner = await OwnersTable.get(c.env.DB, ownerIdOf(c.req.valid("param")));
			if (!owner) throw ownerNotFound();
			return c.json({ owner });
		},
	)
	.post(
		"/owners/:ownerId/keys",
		adminDoc({
			summary:
				"Rotate an owner's API key: every live key is revoked and a new one issued (shown once)",
			ok: { 201: RotatedOwnerKey },
			problems: [...OWNER_PROBLEMS],
		}),
		valid("param", OwnerIdParam),
		async (c) => {
			const ownerId = ownerIdOf(c.req.valid("param"));
			const { apiKey, stored } = await newKey();
			const owner = await OwnersTable.rotateKey(
				c.env.DB,
				ownerId,
				stored,
				new Date().toISOString(),
			);
			if (!owner) throw ownerNotFound();
			c.header("Cache-Control", "no-store");
			return c.json({ owner, apiKey }, 201);
		},
	)
	.get(
		"/links",
		adminDoc({
			summary: "List every link (filter by state or owner)",
			ok: { 200: LinkList },
			problems: [...ADMIN_LIST_PROBLEMS],
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
		adminDoc({
			summary:
				"Audit one link against the invariants (DO state, R2 objects, D1 rows); ?sweep=1 sweeps first",
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
