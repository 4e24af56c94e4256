/**
 * The pages' headers (DESIGN section 12) are the pages' own: every dashboard
 * page is uncached, never framed, sends no Referer, and runs under the strict
 * CSP; the JSON API beside them keeps its own headers (a download's
 * sandboxing policy above all).
 */
import { describe, expect, it } from "vitest";
import { bearer, bytesOf, call, createLink, uploaderFor } from "../helpers";
import { getPage, ownerSession } from "./pages";

describe("headers of pages and of the API", () => {
	it("gives every dashboard page the strict policy, no-store and no-referrer", async () => {
		const { apiKey, cookie } = await ownerSession();
		const { link } = await createLink(apiKey);
		for (const path of ["/app", "/app/new", `/app/links/${link.id}`, "/app/sign-in"]) {
			const res = await getPage(path, cookie);
			expect(res.status, path).toBe(200);
			const csp = res.headers.get("content-security-policy") ?? "";
			expect(csp, path).toContain("script-src 'self'");
			expect(csp, path).toContain("frame-ancestors 'none'");
			expect(csp, path).not.toContain("unsafe-inline");
			expect(res.headers.get("cache-control"), path).toBe("no-store");
			expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
			expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
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
