/**
 * Uploaded bytes are never a script, style or worker of this origin
 * (docs/web.md#downloads-are-never-scripts): an uploader chooses a file's
 * type, so `text/javascript` comes back as `text/javascript` from our own
 * origin, and a `<script src>` under `script-src` of this origin would run it
 * should HTML ever be injected into a page. Every download route (the API's
 * and the dashboard's, single file and ZIP, found from the app's routes)
 * refuses a request whose `Sec-Fetch-Dest` says it is loaded as one, before
 * any byte is read.
 */
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { bearer, call, createLink, uploaderFor } from "../helpers";
import { getPage, ownerSession } from "../pages/pages";

const CODE = "download-destination-refused";
const REFUSED = [
	"script",
	"style",
	"worker",
	"sharedworker",
	"serviceworker",
	"audioworklet",
	"paintworklet",
	"xslt",
];
/** What a browser sends for a navigation, a download link, fetch() and an <img>. */
const ALLOWED = [undefined, "document", "empty", "image", "iframe"];

const DOWNLOAD_ROUTES = [
	"/api/files/:fileId/content",
	"/api/links/:linkId/files.zip",
	"/app/files/:fileId/download",
	"/app/links/:linkId/files.zip",
];

/** An owner with a signed-in page session and a link holding one uploaded `text/javascript` file. */
async function scriptUpload() {
	const { apiKey, cookie } = await ownerSession();
	const { link, uploadUrl } = await createLink(apiKey);
	const { upload } = await uploaderFor(uploadUrl).upload(
		new TextEncoder().encode("alert(document.domain)"),
		{ name: "evil.js", type: "text/javascript" },
	);
	const fileId = upload.fileId ?? "";
	const paths: Record<string, string> = {
		"/api/files/:fileId/content": `/api/files/${fileId}/content`,
		"/api/links/:linkId/files.zip": `/api/links/${link.id}/files.zip`,
		"/app/files/:fileId/download": `/app/files/${fileId}/download`,
		"/app/links/:linkId/files.zip": `/app/links/${link.id}/files.zip`,
	};
	/** A GET of `route` as the owner: the API with the key, pages with the session. */
	const get = (route: string, dest: string | undefined) => {
		const headers: Record<string, string> = dest ? { "Sec-Fetch-Dest": dest } : {};
		const path = paths[route] ?? "";
		return route.startsWith("/api/")
			? call(path, { headers: { ...bearer(apiKey), ...headers } })
			: getPage(path, cookie, headers);
	};
	return { get };
}

describe("downloads are never scripts, styles or workers", () => {
	it("the routes checked here are every download route of the service", () => {
		const downloads = app.routes
			.filter((r) => r.method === "GET" && /\/(content|files\.zip|download)$/.test(r.path))
			.map((r) => r.path);
		expect([...new Set(downloads)].sort()).toEqual([...DOWNLOAD_ROUTES].sort());
	});

	it("the API's downloads refuse a script, style or worker destination with a 403 problem", async () => {
		const { get } = await scriptUpload();
		for (const route of DOWNLOAD_ROUTES.filter((r) => r.startsWith("/api/"))) {
			for (const dest of REFUSED) {
				const res = await get(route, dest);
				const what = `${route} as ${dest}`;
				expect(res.status, what).toBe(403);
				expect(res.headers.get("content-type"), what).toMatch(/^application\/problem\+json/);
				expect(res.headers.get("content-disposition"), what).toBeNull();
				const body = (await res.json()) as { code: string; type: string; detail: string };
				expect(body.code, what).toBe(CODE);
				expect(body.type, what).toBe(`/docs/problems#${CODE}`);
				expect(body.detail, what).toContain(dest);
			}
		}
	});

	it("the dashboard's downloads refuse them too, with a page naming the code", async () => {
		const { get } = await scriptUpload();
		for (const route of DOWNLOAD_ROUTES.filter((r) => r.startsWith("/app/"))) {
			for (const dest of REFUSED) {
				const res = await get(route, dest);
				const what = `${route} as ${dest}`;
				expect(res.status, what).toBe(403);
				expect(res.headers.get("content-type"), what).toMatch(/^text\/html/);
				expect(res.headers.get("content-disposition"), what).toBeNull();
				expect(await res.text(), what).toContain(CODE);
			}
		}
	});

	it("a navigation, a download link, fetch() or an image still gets the file", async () => {
		const { get } = await scriptUpload();
		for (const route of DOWNLOAD_ROUTES) {
			for (const dest of ALLOWED) {
				const res = await get(route, dest);
				const what = `${route} as ${dest ?? "(no Sec-Fetch-Dest)"}`;
				expect(res.status, what).toBe(200);
				expect(res.headers.get("content-disposition"), what).toMatch(/^attachment/);
				expect(res.headers.get("content-security-policy"), what).toBe(
					"default-src 'none'; sandbox",
				);
				await res.arrayBuffer();
			}
		}
	});

	it("the refusal is in the OpenAPI document of both API download routes", async () => {
		const spec = (await (await call("/openapi.json")).json()) as {
			paths: Record<string, { get?: { responses?: Record<string, { description?: string }> } }>;
		};
		for (const path of ["/api/files/{fileId}/content", "/api/links/{linkId}/files.zip"]) {
			expect(spec.paths[path]?.get?.responses?.["403"]?.description, path).toContain(CODE);
		}
	});
});
