/**
 * The web foundation (docs/web.md): the uploader page at the upload URL
 * for browsers (JSON for API clients), page security headers, and the rules
 * of browser sessions: a session ends with its credential (a revoked API
 * key, a changed admin token), at its expiry and at sign-out; the JSON API
 * never accepts the session cookie; sign-in never redirects off the site.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/crypto";
import { newLinkId } from "../../src/lib/ids";
import {
	ADMIN,
	call,
	createOwner,
	expectProblem,
	ORIGIN,
	openLink,
	parseUploadUrl,
} from "../helpers";

const HTML = { Accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

/** DO calls a request made, from its Server-Timing header. */
function doCalls(res: Response): number {
	const m = /do;desc="(\d+) calls"/.exec(res.headers.get("server-timing") ?? "");
	return m ? Number(m[1]) : -1;
}

/** Signs in through the form; answers the cookie pair (`name=value`) and the response. */
async function signIn(
	path: "/app" | "/admin",
	credential: string,
	next?: string,
): Promise<{ cookie: string | null; res: Response }> {
	const form = new URLSearchParams({ credential, ...(next ? { next } : {}) });
	const res = await call(`${path}/sign-in`, {
		method: "POST",
		headers: { Origin: ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
		body: form,
		redirect: "manual",
	});
	const set = res.headers.get("set-cookie");
	return { cookie: set ? (set.split(";")[0] ?? null) : null, res };
}

const get = (path: string, cookie: string) =>
	call(path, { headers: { Cookie: cookie, ...HTML }, redirect: "manual" });

describe("the uploader page at the upload URL", () => {
	it("a browser navigation gets the page (no secret needed, nothing of the link in it); API clients keep JSON", async () => {
		const { uploadUrl } = await openLink({ title: "Quarterly figures" });
		const { linkId, secret } = parseUploadUrl(uploadUrl);
		const page = await call(`/r/${linkId}`, { headers: HTML });
		expect(page.status).toBe(200);
		expect(page.headers.get("content-type")).toMatch(/^text\/html/);
		const html = await page.text();
		expect(html).toMatch(/^<!DOCTYPE html>/);
		expect(html).toContain(`data-link-id="${linkId}"`);
		expect(html).toContain('src="/assets/uploader.js"');
		expect(html).not.toContain("Quarterly figures");
		expect(html).not.toContain(secret);
		expect(page.headers.get("referrer-policy")).toBe("no-referrer");
		expect(page.headers.get("content-security-policy")).toContain(`script-src ${ORIGIN}/assets/`);
		expect(doCalls(page)).toBe(0);

		const navigation = await call(`/r/${linkId}`, { headers: { "Sec-Fetch-Dest": "document" } });
		expect(navigation.headers.get("content-type")).toMatch(/^text\/html/);
		await navigation.arrayBuffer();

		const json = await call(`/r/${linkId}`, {
			headers: { Accept: "application/json", "Link-Secret": secret },
		});
		expect(json.status).toBe(200);
		expect(((await json.json()) as { link: { title: string } }).link.title).toBe(
			"Quarterly figures",
		);
		await expectProblem(await call(`/r/${linkId}`, { headers: { Accept: "*/*" } }), 404);
	});

	it("a forged link id gets a 'does not work' page without touching a Durable Object", async () => {
		const forged = `lnk_${"0".repeat(16)}${"1".repeat(10)}`;
		for (const id of [forged, "not-a-link", "lnk_short"]) {
			const res = await call(`/r/${id}`, { headers: HTML });
			expect(res.status, id).toBe(404);
			expect(await res.text()).toContain("This link does not work");
			expect(doCalls(res), id).toBe(0);
		}
		// An authentic id whose link was never created gets the page; the script finds out.
		const unknown = await newLinkId(env.LINK_ID_SECRET);
		const res = await call(`/r/${unknown}`, { headers: HTML });
		expect(res.status).toBe(200);
		await res.arrayBuffer();
	});
});

describe("page headers", () => {
	it("pages carry a strict CSP, no-referrer, nosniff, DENY framing and no-store", async () => {
		for (const path of ["/", "/app/sign-in", "/admin/sign-in"]) {
			const res = await call(path, { headers: HTML });
			expect(res.status, path).toBe(200);
			const csp = res.headers.get("content-security-policy") ?? "";
			for (const rule of [
				"default-src 'self'",
				`script-src ${ORIGIN}/assets/`,
				`style-src ${ORIGIN}/assets/`,
				"frame-ancestors 'none'",
				"object-src 'none'",
				"base-uri 'none'",
				"form-action 'self'",
			])
				expect(csp, `${path}: ${rule}`).toContain(rule);
			expect(csp, path).not.toContain("unsafe-inline");
			expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
			expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
			expect(res.headers.get("x-frame-options"), path).toBe("DENY");
			expect(res.headers.get("cache-control"), path).toBe("no-store");
			const html = await res.text();
			expect(html, path).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
			expect(html, path).not.toMatch(/\sstyle="/);
		}
	});
});

describe("sessions", () => {
	it("sign-in sets a __Host- HttpOnly Secure SameSite=Strict cookie; a wrong credential sets none", async () => {
		const { apiKey } = await createOwner();
		const { cookie, res } = await signIn("/app", apiKey);
		expect(res.status).toBe(303);
		expect(res.headers.get("location")).toBe("/app");
		const set = res.headers.get("set-cookie") ?? "";
		expect(set).toMatch(/^__Host-rl-app=[A-Za-z0-9_-]{43};/);
		expect(set).toContain("HttpOnly");
		expect(set).toContain("Secure");
		expect(set).toContain("SameSite=Strict");
		expect(set).toContain("Path=/");
		expect(set).not.toContain("Domain");
		const dashboard = await get("/app", cookie ?? "");
		expect(dashboard.status).toBe(200);
		await dashboard.arrayBuffer();

		const wrong = await signIn("/app", `${apiKey}x`);
		expect(wrong.res.status).toBe(401);
		expect(wrong.cookie).toBeNull();
		expect(await wrong.res.text()).toContain("is not valid");
		// The admin token is not an owner key, and an owner key is not the admin token.
		expect((await signIn("/app", "test-admin-token")).cookie).toBeNull();
		expect((await signIn("/admin", apiKey)).cookie).toBeNull();
	});

	it("only the SHA-256 of a session id is stored", async () => {
		const { apiKey } = await createOwner();
		const { cookie } = await signIn("/app", apiKey);
		const id = (cookie ?? "").split("=")[1] ?? "";
		const rows = await env.DB.prepare("SELECT id_hash FROM sessions").all<{ id_hash: string }>();
		const hashes = rows.results.map((r) => r.id_hash);
		expect(hashes).toContain(await sha256Hex(id));
		expect(hashes).not.toContain(id);
	});

	it("a session ends when its API key is revoked, at its expiry, and at sign-out", async () => {
		const { apiKey, ownerId } = await createOwner();
		const a = (await signIn("/app", apiKey)).cookie ?? "";
		const b = (await signIn("/app", apiKey)).cookie ?? "";
		const c = (await signIn("/app", apiKey)).cookie ?? "";
		for (const cookie of [a, b, c]) expect((await get("/app", cookie)).status).toBe(200);

		// Expiry.
		await env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE id_hash = ?")
			.bind("2000-01-01T00:00:00.000Z", await sha256Hex(a.split("=")[1] ?? ""))
			.run();
		const expired = await get("/app", a);
		expect(expired.status).toBe(303);
		expect(expired.headers.get("location")).toBe("/app/sign-in?next=%2Fapp");

		// Sign-out (a same-origin form) revokes the session for good.
		const out = await call("/app/sign-out", {
			method: "POST",
			headers: { Cookie: b, Origin: ORIGIN, "Content-Type": "application/x-www-form-urlencoded" },
			body: "",
			redirect: "manual",
		});
		expect(out.status).toBe(303);
		expect(out.headers.get("set-cookie")).toMatch(/__Host-rl-app=;.*Max-Age=0/);
		expect((await get("/app", b)).status).toBe(303);

		// Revoking the key ends every session it opened.
		expect((await get("/app", c)).status).toBe(200);
		await env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE owner_id = ?")
			.bind(new Date().toISOString(), ownerId)
			.run();
		expect((await get("/app", c)).status).toBe(303);
	});

	it("an admin session ends when the admin token it was opened with is no longer the token", async () => {
		const { cookie } = await signIn("/admin", "test-admin-token");
		expect((await get("/admin", cookie ?? "")).status).toBe(200);
		// As if ADMIN_TOKEN had been changed since: the stored hash no longer matches it.
		await env.DB.prepare("UPDATE sessions SET key_hash = ? WHERE kind = 'admin'")
			.bind(await sha256Hex("the previous admin token"))
			.run();
		expect((await get("/admin", cookie ?? "")).status).toBe(303);
	});

	it("the JSON API does not accept the session cookie", async () => {
		const { apiKey } = await createOwner();
		const { cookie } = await signIn("/app", apiKey);
		const res = await call("/api/links", { headers: { Cookie: cookie ?? "" } });
		await expectProblem(res, 401);
		const admin = await signIn("/admin", "test-admin-token");
		await expectProblem(
			await call("/api/admin/dead-letters", { headers: { Cookie: admin.cookie ?? "" } }),
			401,
		);
		expect((await call("/api/links", { headers: ADMIN })).status).toBe(200);
	});

	it("sign-in goes back to the page asked for, never off the site or to the other surface", async () => {
		const { apiKey } = await createOwner();
		const cases: [string, string][] = [
			["/app/new", "/app/new"],
			["//evil.example/app", "/app"],
			["https://evil.example/app", "/app"],
			["/app//evil.example", "/app"],
			["/app\\evil.example", "/app"],
			["/admin", "/app"],
			["/apple", "/app"],
		];
		for (const [next, expected] of cases) {
			const { res } = await signIn("/app", apiKey, next);
			expect(res.headers.get("location"), next).toBe(expected);
		}
	});

	it("a next= with a line break or any control character falls back to the surface's home: no 500, no session left without its cookie", async () => {
		const { apiKey, ownerId } = await createOwner();
		const sessionsOf = async () =>
			(
				await env.DB.prepare("SELECT id_hash FROM sessions WHERE owner_id = ?")
					.bind(ownerId)
					.all<{ id_hash: string }>()
			).results.map((r) => r.id_hash);
		for (const next of [
			"/app/\r\nX-Injected: 1",
			"/app/\nx",
			"/app/\rx",
			"/app/\tx",
			"/app/ x",
			"/app/\u0000",
			"/app/\u00e9",
		]) {
			const what = JSON.stringify(next);
			const before = await sessionsOf();
			const refused = await signIn("/app", "rlk_wrong", next);
			expect(refused.res.status, what).toBe(401);
			expect(await sessionsOf(), what).toEqual(before);
			const { res, cookie } = await signIn("/app", apiKey, next);
			expect(res.status, what).toBe(303);
			expect(res.headers.get("location"), what).toBe("/app");
			// The one row written is the session whose cookie was handed out.
			const id = (cookie ?? "").split("=")[1] ?? "";
			expect(
				(await sessionsOf()).filter((h) => !before.includes(h)),
				what,
			).toEqual([await sha256Hex(id)]);
		}
		const admin = await signIn("/admin", "test-admin-token", "/admin/\r\nX-Injected: 1");
		expect(admin.res.status).toBe(303);
		expect(admin.res.headers.get("location")).toBe("/admin");
		// The sign-in page does not carry such a target into its form either.
		const form = await call("/app/sign-in?next=%2Fapp%2F%0D%0AX-Injected%3A%201", {
			headers: HTML,
		});
		expect(form.status).toBe(200);
		expect(await form.text()).toContain('<input type="hidden" name="next" value="/app"/>');
	});

	it("state-changing page requests must be same-origin forms", async () => {
		const { apiKey } = await createOwner();
		const { cookie } = await signIn("/app", apiKey);
		const attempts: [string, Record<string, string>][] = [
			[
				"cross-site form",
				{ Origin: "https://evil.example", "Content-Type": "application/x-www-form-urlencoded" },
			],
			[
				"no Origin, cross-site fetch metadata",
				{ "Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded" },
			],
			["JSON", { Origin: ORIGIN, "Content-Type": "application/json" }],
			["no content type", { Origin: ORIGIN }],
		];
		for (const [what, headers] of attempts) {
			const res = await call("/app/sign-out", {
				method: "POST",
				headers: { Cookie: cookie ?? "", ...headers },
				body: "",
				redirect: "manual",
			});
			expect(res.status, what).toBe(403);
			expect(await res.text(), what).toContain("Request refused");
		}
		// The session survived every refused sign-out.
		expect((await get("/app", cookie ?? "")).status).toBe(200);
	});
});

describe("page middleware stays on pages", () => {
	it("API answers carry no page CSP and keep their own Cache-Control", async () => {
		const res = await call("/api/links", { headers: ADMIN });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-security-policy")).toBeNull();
		await res.arrayBuffer();
		const spec = await call("/openapi.json");
		expect(spec.headers.get("cache-control")).not.toBe("no-store");
		await spec.arrayBuffer();
	});
});
