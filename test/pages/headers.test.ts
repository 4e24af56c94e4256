/**
 * The pages' headers (docs/web.md) are the pages' own: every dashboard
 * page is uncached, never framed, sends no Referer, and runs under the strict
 * CSP; the JSON API beside them keeps its own headers (a download's
 * sandboxing policy above all).
 */
import { describe, expect, it } from "vitest";
import { bearer, bytesOf, call, createLink, ORIGIN, uploaderFor } from "../helpers";
import { getPage, ownerSession } from "./pages";

/** A Content-Security-Policy as directive → sources. */
function directivesOf(csp: string): Map<string, string[]> {
	const out = new Map<string, string[]>();
	for (const part of csp.split(";")) {
		const [name, ...sources] = part.trim().split(/\s+/);
		if (name) out.set(name, sources);
	}
	return out;
}

describe("headers of pages and of the API", () => {
	it("gives every dashboard page the strict policy, no-store and no-referrer", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey);
		for (const path of ["/app", "/app/new", `/app/links/${link.id}`, "/app/sign-in"]) {
			const res = await getPage(path, cookie);
			expect(res.status, path).toBe(200);
			const csp = res.headers.get("content-security-policy") ?? "";
			expect(csp, path).toContain(`script-src ${ORIGIN}/assets/`);
			expect(csp, path).toContain("frame-ancestors 'none'");
			expect(csp, path).not.toContain("unsafe-inline");
			expect(res.headers.get("cache-control"), path).toBe("no-store");
			expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
			expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
		}
	});

	it("lets pages load scripts and styles only from the built assets' path, never a download's", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey);
		const assets = `${ORIGIN}/assets/`;
		for (const path of [
			"/",
			"/app",
			`/app/links/${link.id}`,
			"/app/sign-in",
			"/admin/sign-in",
			`/r/${link.id}`,
		]) {
			const res = await getPage(path, cookie);
			expect(res.status, path).toBe(200);
			const directives = directivesOf(res.headers.get("content-security-policy") ?? "");
			expect(directives.get("script-src"), path).toEqual([assets]);
			expect(directives.get("style-src"), path).toEqual([assets]);
			// Workers fall back to script-src: no worker-src or child-src widens it.
			expect(directives.has("worker-src"), path).toBe(false);
			expect(directives.has("child-src"), path).toBe(false);
			const html = await res.text();
			for (const m of html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g))
				if (/\.(js|css)$/.test(m[1] ?? "")) expect(m[1], path).toMatch(/^\/assets\//);
		}
	});

	it("gives the API reference and the problem catalogue the pages' headers, and no inline style", async () => {
		const home = await call("/", { headers: { Accept: "text/html" } });
		await home.arrayBuffer();
		const PAGE_HEADERS = [
			"content-security-policy",
			"x-frame-options",
			"referrer-policy",
			"x-content-type-options",
			"cross-origin-opener-policy",
			"cross-origin-resource-policy",
			"cache-control",
		];
		for (const path of ["/docs", "/docs/problems"]) {
			const res = await call(path);
			expect(res.status, path).toBe(200);
			for (const name of PAGE_HEADERS) {
				expect(res.headers.get(name), `${path}: ${name}`).not.toBeNull();
				expect(res.headers.get(name), `${path}: ${name}`).toBe(home.headers.get(name));
			}
			const html = await res.text();
			expect(html, path).not.toMatch(/<style\b/);
			expect(html, path).not.toMatch(/\sstyle="/);
			expect(html, path).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
			expect(html, path).toContain('<link rel="stylesheet" href="/assets/site.css"');
		}
	});

	it("leaves the API's answers alone: a download keeps its sandbox, JSON gets no page policy", async () => {
		const { apiKey } = await ownerSession();
		const { link, uploadUrl } = await createLink(apiKey);
		const { upload } = await uploaderFor(uploadUrl).upload(bytesOf(10), { name: "a.txt" });
		const download = await call(`/api/files/${upload.fileId}/content`, {
			headers: bearer(apiKey),
		});
		expect(download.status).toBe(200);
		expect(download.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
		expect(download.headers.get("cache-control")).toBe("private, no-store, no-transform");
		await download.arrayBuffer();

		const json = await call(`/api/links/${link.id}`, { headers: bearer(apiKey) });
		expect(json.status).toBe(200);
		expect(json.headers.get("content-security-policy")).toBeNull();
		expect(json.headers.get("cross-origin-resource-policy")).toBeNull();
		await json.arrayBuffer();
	});
});
