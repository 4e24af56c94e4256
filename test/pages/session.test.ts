/**
 * The dashboard's session and request rules (docs/web.md): the session
 * cookie's flags, CSRF (a page write must be a same-origin form), sign-out
 * revoking the session, and owner isolation on pages.
 */
import { describe, expect, it } from "vitest";
import { call, createLink, ORIGIN, readLink } from "../helpers";
import { adminClient, ownerClient } from "../owner-client";
import { getPage, inputValue, newLinkForm, ownerSession, postForm } from "./pages";

describe("the dashboard session", () => {
	it("is a __Host- cookie, HttpOnly, Secure, SameSite=Strict, Path=/, with no Domain", async () => {
		const { apiKey } = await adminClient().createOwner("Cookie");
		const res = await postForm("/app/sign-in", null, { credential: apiKey });
		expect(res.status).toBe(303);
		expect(res.headers.get("location")).toBe("/app");
		const cookie = res.headers.get("set-cookie") ?? "";
		expect(cookie).toMatch(/^__Host-rl-app=[A-Za-z0-9_-]{20,}; /);
		const flags = cookie.split(";").map((s) => s.trim().toLowerCase());
		expect(flags).toContain("httponly");
		expect(flags).toContain("secure");
		expect(flags).toContain("samesite=strict");
		expect(flags).toContain("path=/");
		expect(flags.some((f) => f.startsWith("domain="))).toBe(false);
		// The key itself is never in the cookie.
		expect(cookie).not.toContain(apiKey);
	});

	it("sends a visitor without a session to the sign-in page, and back after", async () => {
		const res = await getPage("/app/new", null);
		expect(res.status).toBe(303);
		expect(res.headers.get("location")).toBe("/app/sign-in?next=%2Fapp%2Fnew");
	});

	it("refuses a wrong key with a sentence, and sets no cookie", async () => {
		const res = await postForm("/app/sign-in", null, { credential: "rlk_not-a-real-key" });
		expect(res.status).toBe(401);
		expect(res.headers.get("set-cookie")).toBeNull();
		expect(await res.text()).toContain("That api key is not valid");
	});

	it("ends on sign-out: the old cookie then leads to the sign-in page", async () => {
		const { cookie } = await ownerSession();
		expect((await getPage("/app", cookie)).status).toBe(200);
		const out = await postForm("/app/sign-out", cookie, {});
		expect(out.status).toBe(303);
		expect(out.headers.get("set-cookie")).toMatch(/__Host-rl-app=;/);
		const after = await getPage("/app", cookie);
		expect(after.status).toBe(303);
		expect(after.headers.get("location")).toMatch(/^\/app\/sign-in/);
		// A form sent with the old cookie changes nothing either.
		const post = await postForm("/app/new", cookie, newLinkForm());
		expect(post.status).toBe(303);
		expect(post.headers.get("location")).toBe("/app/sign-in?ended=1");
	});
});

describe("cross-site requests", () => {
	it("refuses a form POST from another origin (403 page) and changes nothing", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey);
		const page = await (await getPage(`/app/links/${link.id}`, cookie)).text();
		const etag = inputValue(page, "etag") ?? "";
		expect(etag).toBe('"1.1"');

		const res = await postForm(
			`/app/links/${link.id}/pause`,
			cookie,
			{ etag },
			"https://evil.example",
		);
		expect(res.status).toBe(403);
		expect(res.headers.get("content-type")).toMatch(/^text\/html/);
		expect(await res.text()).toContain("This form was not sent from this site");
		const after = await (await readLink(link.id)).json<{
			link: { state: string; epoch: number };
		}>();
		expect(after.link).toMatchObject({ state: "active", epoch: 1 });

		const revoke = await postForm(
			`/app/links/${link.id}/revoke`,
			cookie,
			{},
			"https://evil.example",
		);
		expect(revoke.status).toBe(403);
		expect((await ownerClient(apiKey).getLink(link.id)).link.pendingCommands).toEqual([]);
	});

	it("refuses a form POST without an Origin whose fetch metadata says cross-site", async () => {
		const { cookie } = await ownerSession();
		const res = await call("/app/new", {
			method: "POST",
			headers: {
				"Content-Type": "application/x-www-form-urlencoded",
				"Sec-Fetch-Site": "cross-site",
				Cookie: cookie,
			},
			body: new URLSearchParams(newLinkForm()).toString(),
			redirect: "manual",
		});
		expect(res.status).toBe(403);
	});

	it("refuses a JSON POST to a page, even from this origin, and creates nothing", async () => {
		const { apiKey, cookie } = await ownerSession();
		const res = await call("/app/new", {
			method: "POST",
			headers: { "Content-Type": "application/json", Origin: ORIGIN, Cookie: cookie },
			body: JSON.stringify({ title: "Sneaky" }),
			redirect: "manual",
		});
		expect(res.status).toBe(403);
		expect((await ownerClient(apiKey).listLinks()).items).toEqual([]);
	});

	it("never reads the session cookie on the JSON API", async () => {
		const { cookie } = await ownerSession();
		const res = await call("/api/links", { headers: { Cookie: cookie } });
		expect(res.status).toBe(401);
	});
});

describe("owner isolation on pages", () => {
	it("shows another owner's link, its settings, commands and files as not found", async () => {
		const ann = await ownerSession("Ann");
		const { link } = await createLink(ann.apiKey, { title: "Ann's private link" });
		const bob = await ownerSession("Bob");
		for (const path of [
			`/app/links/${link.id}`,
			`/app/links/${link.id}/settings`,
			`/app/links/${link.id}/revoke`,
		]) {
			const res = await getPage(path, bob.cookie);
			expect(res.status, path).toBe(404);
			const html = await res.text();
			expect(html).toContain("This link does not exist");
			expect(html).not.toContain("Ann's private link");
		}
		const pause = await postForm(`/app/links/${link.id}/pause`, bob.cookie, {});
		expect(pause.status).toBe(404);
		expect((await readLink(link.id)).status).toBe(200);
		const list = await (await getPage("/app", bob.cookie)).text();
		expect(list).not.toContain("Ann's private link");
	});
});
