/**
 * Ids in page paths (docs/web.md#ids-in-page-paths). A page route decodes its
 * id and acts through the API with it, so an id holding `/`, `?`, `#` or `%`
 * must never reach the API as a path of its own: `<id>%2Fresume%3F/pause`
 * once resumed a paused link, and `..%2Fwebhooks` answered 500. Every page
 * route with an id in its path is found from the app's routes (a new route
 * is checked without being listed) and must answer the not-found page (or,
 * for the status JSON the badges poll, a JSON 404) for an id of the wrong
 * shape.
 */
import { describe, expect, it } from "vitest";
import { pages } from "../../src/pages";
import { call, createLink, ORIGIN } from "../helpers";
import { ownerClient } from "../owner-client";
import { getPage, ownerSession, postForm } from "./pages";

const NOT_FOUND = "There is no page at this address.";
const UNKNOWN_LINK = "This link does not work";

async function adminCookie(): Promise<string> {
	const res = await postForm("/admin/sign-in", null, { credential: "test-admin-token" });
	expect(res.status).toBe(303);
	return (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

/** A well-shaped id for a route's parameter (so only the parameter under test is wrong). */
function sampleId(path: string, param: string, linkId: string): string {
	if (param === "linkId") return linkId;
	if (param === "commandId") return `cmd_${"a".repeat(38)}`;
	if (param === "fileId") return `fil_${"a".repeat(20)}`;
	if (param === "ownerId") return `own_${"a".repeat(20)}`;
	if (param === "eventId") return `evt_${"a".repeat(26)}`;
	if (param === "id" && path.startsWith("/app/webhooks/")) return `whe_${"a".repeat(20)}`;
	if (param === "id" && path.startsWith("/admin/dead-letters/"))
		return "dl_0b7f6c1e-2a4d-4c3b-9e8f-1a2b3c4d5e6f";
	throw new Error(`no sample id for :${param} of ${path}: add one`);
}

/** Path segments (as sent, percent-encoded) that are not an id of any kind. */
const malformed = (sample: string) => [
	"..%2Fwebhooks",
	"..%2F..%2Fadmin%2Fowners",
	`${sample}%2Fresume%3F`,
	`${sample}%3Fx`,
	`${sample}%23x`,
	`${sample}%25`,
	`${sample}x`,
	"x",
];

describe("ids in page paths", () => {
	it("a link id carrying a path of its own does not resume a paused link: not found", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey);
		await ownerClient(apiKey).pause(link.id);
		const res = await postForm(`/app/links/${link.id}%2Fresume%3F/pause`, cookie, {});
		expect(res.status).toBe(404);
		expect(await res.text()).toContain(NOT_FOUND);
		expect((await ownerClient(apiKey).getLink(link.id)).link.state).toBe("paused");
	});

	it("the addresses of the finding answer the not-found page, not a 500", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey);
		const admin = await adminCookie();
		for (const [path, session] of [
			["/app/links/..%2Fwebhooks", cookie],
			[`/app/links/${link.id}%3Fx`, cookie],
			[`/app/commands/..%2Flinks%2F${link.id}`, cookie],
			["/admin/dead-letters/..%2F..%2Fadmin%2Fowners", admin],
		] as const) {
			const res = await getPage(path, session);
			expect(res.status, path).toBe(404);
			expect(await res.text(), path).toContain(NOT_FOUND);
		}
	});

	it("every page route with an id in its path refuses an id of the wrong shape", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey);
		const admin = await adminCookie();
		const routes = pages.routes.filter(
			(r) => (r.method === "GET" || r.method === "POST") && r.path.includes("/:"),
		);
		expect(routes.length).toBeGreaterThan(20);
		for (const route of routes) {
			const session = route.path.startsWith("/admin/") ? admin : cookie;
			const params = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] ?? "");
			for (const param of params) {
				const sample = sampleId(route.path, param, link.id);
				for (const bad of malformed(sample)) {
					let path = route.path;
					for (const p of params)
						path = path.replace(`:${p}`, p === param ? bad : sampleId(route.path, p, link.id));
					const what = `${route.method} ${path}`;
					const res =
						route.method === "GET"
							? await getPage(path, session)
							: await postForm(path, session, {}, ORIGIN);
					expect(res.status, what).toBe(404);
					if (path.endsWith("/status.json")) {
						expect(res.headers.get("content-type"), what).toMatch(/^application\/json/);
						await res.body?.cancel();
					} else if (route.path.startsWith("/r/")) {
						// The upload URL's own not-found page, for people who were sent a broken link.
						expect(await res.text(), what).toContain(UNKNOWN_LINK);
					} else {
						expect(await res.text(), what).toContain(NOT_FOUND);
					}
				}
			}
		}
		// Nothing of the link changed on the way.
		expect((await ownerClient(apiKey).getLink(link.id)).link.state).toBe("active");
	});

	it("a well-shaped id still reaches its page", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey, { title: "Still here" });
		const res = await call(`/app/links/${link.id}`, {
			headers: { Cookie: cookie, Accept: "text/html" },
		});
		expect(res.status).toBe(200);
		expect(await res.text()).toContain("Still here");
	});
});
