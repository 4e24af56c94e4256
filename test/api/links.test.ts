import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	ADMIN,
	bearer,
	bodyOf,
	call,
	callLink,
	createLink,
	createOwner,
	expectProblem,
	type LinkBody,
	parseUploadUrl,
	sendJson,
} from "../helpers";

const post = (path: string, key: string, headers: Record<string, string> = {}) =>
	call(path, { method: "POST", headers: { ...bearer(key), ...headers } });

describe("owners and links", () => {
	it("creates an owner whose key is stored hashed", async () => {
		const { ownerId, apiKey } = await createOwner("Ada");
		expect(apiKey).toMatch(/^rlk_[A-Za-z0-9_-]{43}$/);
		const row = await env.DB.prepare("SELECT key_hash FROM api_keys WHERE owner_id = ?")
			.bind(ownerId)
			.first<{ key_hash: string }>();
		expect(row?.key_hash).toMatch(/^[0-9a-f]{64}$/);
		expect(row?.key_hash).not.toContain(apiKey.slice(4));
	});

	it("creates a link at epoch 1 with defaults, a Location, an ETag and an upload URL", async () => {
		const { apiKey } = await createOwner();
		const res = await sendJson(
			"POST",
			"/api/links",
			{ title: "Tax documents", maxFiles: 3 },
			bearer(apiKey),
		);
		expect(res.status).toBe(201);
		const body = await bodyOf<{ link: LinkBody; uploadUrl: string }>(res);
		expect(res.headers.get("location")).toBe(`/api/links/${body.link.id}`);
		expect(res.headers.get("etag")).toBe('"1.1"');
		expect(body.link).toMatchObject({
			state: "active",
			epoch: 1,
			terminalEpoch: null,
			closing: false,
		});
		expect(body.link.settings).toMatchObject({
			title: "Tax documents",
			maxFiles: 3,
			lateFinalize: "recover",
		});
		// The secret rides in the fragment (never sent to a server); the path names only the link.
		expect(body.uploadUrl).toMatch(
			new RegExp(`^https://receive\\.test/r/${body.link.id}#[A-Za-z0-9_-]{43}$`),
		);
		expect(body).not.toHaveProperty("linkToken");
	});

	it("accepts an empty POST body (all settings optional)", async () => {
		const { apiKey } = await createOwner();
		const res = await post("/api/links", apiKey);
		expect(res.status).toBe(201);
	});

	it("lists an owner's links newest first with cursor pagination", async () => {
		const { apiKey } = await createOwner();
		const ids: string[] = [];
		for (let i = 0; i < 5; i++) ids.push((await createLink(apiKey, { title: `L${i}` })).link.id);
		const seen: string[] = [];
		let cursor: string | null = null;
		do {
			const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
			const res = await call(`/api/links?limit=2${q}`, { headers: bearer(apiKey) });
			expect(res.status).toBe(200);
			const page = await bodyOf<{ items: { id: string }[]; nextCursor: string | null }>(res);
			expect(page.items.length).toBeLessThanOrEqual(2);
			seen.push(...page.items.map((l) => l.id));
			cursor = page.nextCursor;
		} while (cursor);
		expect(new Set(seen)).toEqual(new Set(ids));
		expect(seen).toHaveLength(5);
	});

	it("reads a link with its epoch and settings revision as ETag", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		const res = await call(`/api/links/${link.id}`, { headers: bearer(apiKey) });
		expect(res.status).toBe(200);
		expect(res.headers.get("etag")).toBe('"1.1"');
		expect((await bodyOf<{ link: LinkBody }>(res)).link.id).toBe(link.id);
	});
});

describe("pause and resume", () => {
	it("pause and resume answer 200 with epoch +1 each; repeats are idempotent", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		const epochAfter = async (path: string) => {
			const res = await post(`/api/links/${link.id}/${path}`, apiKey);
			expect(res.status).toBe(200);
			const body = await bodyOf<{ link: LinkBody }>(res);
			expect(res.headers.get("etag")).toBe(`"${body.link.epoch}.1"`);
			return [body.link.state, body.link.epoch];
		};
		expect(await epochAfter("pause")).toEqual(["paused", 2]);
		expect(await epochAfter("pause")).toEqual(["paused", 2]);
		expect(await epochAfter("resume")).toEqual(["active", 3]);
		expect(await epochAfter("resume")).toEqual(["active", 3]);
		expect(await epochAfter("pause")).toEqual(["paused", 4]);
	});

	it("honours If-Match: the current epoch proceeds, a stale one is 412 and changes nothing", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		const ok = await post(`/api/links/${link.id}/pause`, apiKey, { "If-Match": '"1"' });
		expect(ok.status).toBe(200);
		const stale = await post(`/api/links/${link.id}/resume`, apiKey, { "If-Match": '"1"' });
		const p = await expectProblem(stale, 412, "epoch-mismatch");
		expect(p.epoch).toBe(2);
		const now = await bodyOf<{ link: LinkBody }>(
			await call(`/api/links/${link.id}`, { headers: bearer(apiKey) }),
		);
		expect(now.link).toMatchObject({ state: "paused", epoch: 2 });
	});

	it("rejects a malformed If-Match with 400", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		await expectProblem(
			await post(`/api/links/${link.id}/pause`, apiKey, { "If-Match": "two" }),
			400,
			"invalid-if-match",
		);
	});

	it("keeps the D1 index in step with the DO", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		await post(`/api/links/${link.id}/pause`, apiKey);
		const row = await env.DB.prepare("SELECT state, epoch FROM links WHERE id = ?")
			.bind(link.id)
			.first();
		expect(row).toEqual({ state: "paused", epoch: 2 });
	});

	it("lets an admin pause any owner's link", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		const res = await post(`/api/links/${link.id}/pause`, "test-admin-token");
		expect(res.status).toBe(200);
	});
});

describe("settings", () => {
	it("updates settings without changing the epoch and hides the password", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		const res = await sendJson(
			"PATCH",
			`/api/links/${link.id}`,
			{ title: "New", allowedExtensions: [".PDF", "jpg"], password: "correct horse battery" },
			bearer(apiKey),
		);
		expect(res.status).toBe(200);
		const body = await bodyOf<{ link: LinkBody }>(res);
		expect(body.link.epoch).toBe(1);
		expect(body.link.settings).toMatchObject({
			title: "New",
			allowedExtensions: ["pdf", "jpg"],
			passwordRequired: true,
		});
		expect(JSON.stringify(body)).not.toContain("correct horse");
	});

	it("rejects cross-field nonsense and past expiry", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		await expectProblem(
			await sendJson(
				"PATCH",
				`/api/links/${link.id}`,
				{ maxFileBytes: 100, maxTotalBytes: 10 },
				bearer(apiKey),
			),
			400,
			"validation-failed",
		);
		await expectProblem(
			await sendJson(
				"PATCH",
				`/api/links/${link.id}`,
				{ expiresAt: "2001-01-01T00:00:00Z" },
				bearer(apiKey),
			),
			400,
			"validation-failed",
		);
	});

	it("rejects unknown fields", async () => {
		const { apiKey } = await createOwner();
		const { link } = await createLink(apiKey);
		await expectProblem(
			await sendJson("PATCH", `/api/links/${link.id}`, { state: "deleted" }, bearer(apiKey)),
			400,
			"validation-failed",
		);
	});
});

describe("owner isolation", () => {
	it("gives another owner 404 on every link route, and hides the link from its list", async () => {
		const a = await createOwner("A");
		const b = await createOwner("B");
		const { link } = await createLink(a.apiKey);
		await expectProblem(
			await call(`/api/links/${link.id}`, { headers: bearer(b.apiKey) }),
			404,
			"link-not-found",
		);
		await expectProblem(await post(`/api/links/${link.id}/pause`, b.apiKey), 404, "link-not-found");
		await expectProblem(
			await post(`/api/links/${link.id}/resume`, b.apiKey),
			404,
			"link-not-found",
		);
		await expectProblem(
			await sendJson("PATCH", `/api/links/${link.id}`, { title: "x" }, bearer(b.apiKey)),
			404,
			"link-not-found",
		);
		const list = await bodyOf<{ items: { id: string }[] }>(
			await call("/api/links", { headers: bearer(b.apiKey) }),
		);
		expect(list.items.map((l) => l.id)).not.toContain(link.id);
		const still = await bodyOf<{ link: LinkBody }>(
			await call(`/api/links/${link.id}`, { headers: bearer(a.apiKey) }),
		);
		expect(still.link).toMatchObject({ state: "active", epoch: 1 });
	});
});

describe("admin", () => {
	it("lists every link, filtered by owner and state", async () => {
		const a = await createOwner("A");
		const b = await createOwner("B");
		const la = (await createLink(a.apiKey)).link;
		const lb = (await createLink(b.apiKey)).link;
		await post(`/api/links/${lb.id}/pause`, b.apiKey);
		const all = await bodyOf<{ items: { id: string }[] }>(
			await call("/api/admin/links?limit=100", { headers: ADMIN }),
		);
		expect(all.items.map((l) => l.id)).toEqual(expect.arrayContaining([la.id, lb.id]));
		const paused = await bodyOf<{ items: { id: string; state: string }[] }>(
			await call("/api/admin/links?state=paused", { headers: ADMIN }),
		);
		expect(paused.items.map((l) => l.id)).toContain(lb.id);
		expect(paused.items.every((l) => l.state === "paused")).toBe(true);
		const onlyA = await bodyOf<{ items: { id: string }[] }>(
			await call(`/api/admin/links?ownerId=${a.ownerId}`, { headers: ADMIN }),
		);
		expect(onlyA.items.map((l) => l.id)).toEqual([la.id]);
	});

	it("refuses owner keys (403) and anonymous callers (401)", async () => {
		const { apiKey } = await createOwner();
		await expectProblem(
			await call("/api/admin/links", { headers: bearer(apiKey) }),
			403,
			"forbidden",
		);
		await expectProblem(await call("/api/admin/links"), 401, "unauthorized");
		await expectProblem(
			await sendJson("POST", "/api/admin/owners", { name: "x" }, bearer(apiKey)),
			403,
			"forbidden",
		);
	});
});

describe("public link info", () => {
	it("shows uploaders the title, limits and part size, with no-referrer", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey, {
			title: "Photos",
			maxFiles: 2,
			allowedMimeTypes: ["image/*"],
		});
		const res = await callLink(uploadUrl, ``);
		expect(res.status).toBe(200);
		expect(res.headers.get("referrer-policy")).toBe("no-referrer");
		const body = await bodyOf<{ link: Record<string, unknown> }>(res);
		expect(body.link).toMatchObject({
			title: "Photos",
			state: "active",
			limits: { maxFiles: 2, remainingFiles: 2, allowedMimeTypes: ["image/*"] },
			defaultPartSize: 8 * 1024 * 1024,
		});
		expect(JSON.stringify(body)).not.toContain(link.ownerId);
	});

	it("shows a paused link as paused", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		await post(`/api/links/${link.id}/pause`, apiKey);
		const body = await bodyOf<{ link: { state: string } }>(await callLink(uploadUrl, ``));
		expect(body.link.state).toBe("paused");
	});

	it("answers 404 with no-referrer for tampered, truncated, missing and foreign secrets", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		const other = (await createLink(apiKey)).uploadUrl;
		const secret = parseUploadUrl(uploadUrl).secret;
		const flipped = secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A");
		for (const headers of [
			{ "Link-Secret": flipped } as Record<string, string>,
			{ "Link-Secret": secret.slice(0, -1) },
			{ "Link-Secret": `${secret}A` },
			{ "Link-Secret": parseUploadUrl(other).secret },
			{ "Link-Secret": "x" },
			{ "Link-Secret": "%00" },
			{},
		]) {
			const res = await call(`/r/${link.id}`, { headers });
			await expectProblem(res, 404, "link-not-found");
			expect(res.headers.get("referrer-policy")).toBe("no-referrer");
		}
		// The secret in the path (the old form) names no link.
		await expectProblem(await call(`/r/${link.id}${secret}`), 404);
		await expectProblem(
			await call(`/r/..%2F..%2Fapi`, { headers: { "Link-Secret": secret } }),
			404,
		);
	});
});
