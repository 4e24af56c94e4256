/**
 * The admin owner routes: list, read, rotate the API key. An owner is shown
 * with its live key's prefix, never the key or its hash; a rotation revokes
 * every live key and issues one new key, shown once.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { OwnerSummary } from "../../src/contract";
import {
	ADMIN,
	bearer,
	bodyOf,
	call,
	createLink,
	createOwner,
	expectProblem,
	sha256HexOf,
} from "../helpers";
import { adminClient, ownerClient } from "../owner-client";

const UNKNOWN_OWNER = `own_${"0".repeat(20)}`;

/** The owner's API keys as stored: how many, and how many still live. */
async function keyCounts(ownerId?: string): Promise<{ total: number; live: number }> {
	const where = ownerId ? "WHERE owner_id = ?" : "";
	const stmt = env.DB.prepare(
		`SELECT COUNT(*) AS total, COUNT(*) - COUNT(revoked_at) AS live FROM api_keys ${where}`,
	);
	const row = await (ownerId ? stmt.bind(ownerId) : stmt).first<{ total: number; live: number }>();
	return { total: row?.total ?? 0, live: row?.live ?? 0 };
}

/** The status of GET /api/links with `apiKey`. */
async function linksStatus(apiKey: string): Promise<number> {
	const res = await call("/api/links", { headers: bearer(apiKey) });
	await res.body?.cancel();
	return res.status;
}

describe("listing and reading owners", () => {
	it("lists owners newest first, two per page, following nextCursor to the end", async () => {
		const created: string[] = [];
		for (let i = 0; i < 3; i++) created.push((await createOwner(`Paged ${i}`)).ownerId);
		const admin = adminClient();
		const seen: OwnerSummary[] = [];
		const pageSizes: number[] = [];
		let cursor: string | null = null;
		do {
			const page = await admin.listOwners({ limit: 2, cursor });
			pageSizes.push(page.items.length);
			seen.push(...page.items);
			cursor = page.nextCursor;
		} while (cursor && pageSizes.length < 50);
		expect(cursor).toBeNull();
		expect(pageSizes.length).toBeGreaterThanOrEqual(2);
		expect(pageSizes[0]).toBe(2);
		for (const n of pageSizes) expect(n).toBeLessThanOrEqual(2);
		const ids = seen.map((o) => o.id);
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids).toEqual(expect.arrayContaining(created));
		// Keyset order: (createdAt, id) descending across every page.
		const keys = seen.map((o) => `${o.createdAt} ${o.id}`);
		expect(keys).toEqual([...keys].sort().reverse());
	});

	it("a cursor it did not issue is 400 invalid-cursor; a limit over 100 is 400", async () => {
		await expectProblem(
			await call("/api/admin/owners?cursor=bm9wZQ", { headers: ADMIN }),
			400,
			"invalid-cursor",
		);
		await expectProblem(
			await call("/api/admin/owners?limit=101", { headers: ADMIN }),
			400,
			"validation-failed",
		);
	});

	it("shows the live key's prefix and link count, never the key or its hash", async () => {
		const admin = adminClient();
		const created = await admin.createOwner("Grace", "grace@example.com");
		const { apiKey } = created;
		await createLink(apiKey);
		await createLink(apiKey);

		const res = await call(`/api/admin/owners/${created.owner.id}`, { headers: ADMIN });
		expect(res.status).toBe(200);
		const text = await res.text();
		const { owner } = JSON.parse(text) as { owner: OwnerSummary };
		expect(owner).toEqual({
			...created.owner,
			keyPrefix: apiKey.slice(0, 8),
			keyCreatedAt: created.owner.createdAt,
			linkCount: 2,
		});

		const listed = JSON.stringify(await admin.all((page) => admin.listOwners(page)));
		expect(listed).toContain(created.owner.id);
		const hash = await sha256HexOf(new TextEncoder().encode(apiKey));
		for (const body of [text, listed]) {
			expect(body).not.toContain(apiKey);
			expect(body).not.toContain(apiKey.slice(8));
			expect(body).not.toContain(hash);
		}
		expect(text).not.toMatch(/hash/i);
	});

	it("an owner without links counts 0", async () => {
		const { ownerId } = await createOwner("No links");
		expect((await adminClient().getOwner(ownerId)).linkCount).toBe(0);
	});

	it("an unknown or malformed owner id is 404 owner-not-found; an overlong one 400", async () => {
		for (const id of [UNKNOWN_OWNER, "nope", "own_", `own_${"A".repeat(20)}`, "lnk_x"]) {
			await expectProblem(
				await call(`/api/admin/owners/${id}`, { headers: ADMIN }),
				404,
				"owner-not-found",
			);
		}
		await expectProblem(
			await call(`/api/admin/owners/own_${"0".repeat(80)}`, { headers: ADMIN }),
			400,
			"validation-failed",
		);
	});
});

describe("rotating an owner's key", () => {
	it("revokes the old key (401) and issues a new one that works, shown once with no-store", async () => {
		const { ownerId, apiKey: oldKey } = await createOwner("Rotating");
		const { link } = await createLink(oldKey);
		expect(await linksStatus(oldKey)).toBe(200);

		const res = await adminClient().rotateOwnerKeyResponse(ownerId);
		expect(res.status).toBe(201);
		expect(res.headers.get("cache-control")).toBe("no-store");
		const { owner, apiKey } = await bodyOf<{ owner: OwnerSummary; apiKey: string }>(res);
		expect(apiKey).toMatch(/^rlk_[A-Za-z0-9_-]{43}$/);
		expect(apiKey).not.toBe(oldKey);
		expect(owner).toMatchObject({ id: ownerId, keyPrefix: apiKey.slice(0, 8), linkCount: 1 });

		await expectProblem(await call("/api/links", { headers: bearer(oldKey) }), 401, "unauthorized");
		// The owner keeps its links under the new key.
		const links = await ownerClient(apiKey).listLinks();
		expect(links.items.map((l) => l.id)).toEqual([link.id]);
		expect(await keyCounts(ownerId)).toEqual({ total: 2, live: 1 });
	});

	it("after two rotations only the newest key is live", async () => {
		const { ownerId, apiKey: first } = await createOwner("Twice");
		const admin = adminClient();
		const second = (await admin.rotateOwnerKey(ownerId)).apiKey;
		const third = await admin.rotateOwnerKey(ownerId);

		expect(await keyCounts(ownerId)).toEqual({ total: 3, live: 1 });
		expect(await linksStatus(first)).toBe(401);
		expect(await linksStatus(second)).toBe(401);
		expect(await linksStatus(third.apiKey)).toBe(200);
		const owner = await admin.getOwner(ownerId);
		expect(owner.keyPrefix).toBe(third.apiKey.slice(0, 8));
		expect(owner.keyCreatedAt).toBe(third.owner.keyCreatedAt);
		expect(owner.keyCreatedAt && owner.keyCreatedAt >= owner.createdAt).toBe(true);
	});

	it("an unknown or malformed owner id is 404 and writes nothing", async () => {
		await createOwner("Bystander");
		const before = await keyCounts();
		for (const id of [UNKNOWN_OWNER, "nope"]) {
			await expectProblem(await adminClient().rotateOwnerKeyResponse(id), 404, "owner-not-found");
		}
		expect(await keyCounts()).toEqual(before);
	});
});

describe("credentials on the owner routes", () => {
	it("an owner key is 403 forbidden, no or unknown credentials 401, and nothing rotates", async () => {
		const { ownerId, apiKey } = await createOwner("Not an admin");
		const routes: [string, string][] = [
			["GET", "/api/admin/owners"],
			["GET", `/api/admin/owners/${ownerId}`],
			["POST", `/api/admin/owners/${ownerId}/keys`],
		];
		for (const [method, path] of routes) {
			await expectProblem(await call(path, { method, headers: bearer(apiKey) }), 403, "forbidden");
			await expectProblem(await call(path, { method }), 401, "unauthorized");
			await expectProblem(
				await call(path, { method, headers: bearer("rlk_unknown") }),
				401,
				"unauthorized",
			);
		}
		expect(await keyCounts(ownerId)).toEqual({ total: 1, live: 1 });
		expect(await linksStatus(apiKey)).toBe(200);
	});
});

describe("every link, for admins", () => {
	it("listAllLinks filters by owner and by state", async () => {
		const { ownerId, apiKey } = await createOwner("Filtered");
		const a = await createLink(apiKey, { title: "A" });
		const b = await createLink(apiKey, { title: "B" });
		await ownerClient(apiKey).pause(b.link.id);
		await createLink((await createOwner("Other")).apiKey);

		const admin = adminClient();
		const mine = await admin.listAllLinks({ ownerId });
		expect(mine.items.map((l) => l.id).sort()).toEqual([a.link.id, b.link.id].sort());
		const paused = await admin.listAllLinks({ ownerId, state: "paused" });
		expect(paused.items.map((l) => l.id)).toEqual([b.link.id]);
		const onePage = await admin.listAllLinks({ ownerId }, { limit: 1 });
		expect(onePage.items).toHaveLength(1);
		expect(onePage.nextCursor).not.toBeNull();
	});
});

describe("documentation", () => {
	it("the OpenAPI document lists the owner routes", async () => {
		const spec = await bodyOf<{ paths: Record<string, Record<string, unknown>> }>(
			await call("/openapi.json"),
		);
		expect(Object.keys(spec.paths["/api/admin/owners"] ?? {})).toEqual(
			expect.arrayContaining(["get", "post"]),
		);
		expect(spec.paths["/api/admin/owners/{ownerId}"]).toHaveProperty("get");
		expect(spec.paths["/api/admin/owners/{ownerId}/keys"]).toHaveProperty("post");
		const problems = await (await call("/docs/problems")).text();
		expect(problems).toContain('id="owner-not-found"');
	});
});
