/**
 * Downloads are byte-exact (issue 9, item 6): the runtime and Cloudflare's
 * edge compress text-like responses unless told not to, which drops
 * Content-Length and leaves a Content-Range that describes other bytes. The
 * in-process fetch here does not compress, so the opt-out headers are checked.
 */
import { describe, expect, it } from "vitest";
import { bearer, call, createLink, createOwner, sha256HexOf, uploaderFor } from "../helpers";
import { ownerClient } from "../owner-client";

const HTML = `<!doctype html><title>x</title>${"<p>hello, world</p>\n".repeat(200)}`;

function expectNoTransform(res: Response) {
	expect(res.headers.get("cache-control")).toBe("private, no-store, no-transform");
	expect(res.headers.get("content-encoding")).toBe("identity");
	expect(res.headers.get("accept-ranges")).toBe("bytes");
}

describe("file downloads opt out of compression", () => {
	it("full and ranged downloads of a text/html file are identity-encoded with Content-Length", async () => {
		const { apiKey } = await createOwner();
		const { uploadUrl } = await createLink(apiKey);
		const data = new TextEncoder().encode(HTML);
		const result = await uploaderFor(uploadUrl).upload(data, {
			name: "page.html",
			type: "text/html",
		});
		expect(result.command.status).toBe("succeeded");
		const url = `/api/files/${result.upload.fileId}/content`;
		const gzip = { ...bearer(apiKey), "Accept-Encoding": "gzip, br" };

		const full = await call(url, { headers: gzip });
		expect(full.status).toBe(200);
		expectNoTransform(full);
		// Served as bytes, never as a document of this origin (docs/web.md#downloads-are-never-scripts).
		expect(full.headers.get("content-type")).toBe("application/octet-stream");
		expect(full.headers.get("content-length")).toBe(String(data.byteLength));
		expect(await sha256HexOf(await full.arrayBuffer())).toBe(await sha256HexOf(data));

		const part = await call(url, { headers: { ...gzip, Range: "bytes=100-1099" } });
		expect(part.status).toBe(206);
		expectNoTransform(part);
		expect(part.headers.get("content-range")).toBe(`bytes 100-1099/${data.byteLength}`);
		expect(part.headers.get("content-length")).toBe("1000");
		expect(new Uint8Array(await part.arrayBuffer())).toEqual(data.slice(100, 1100));

		const tail = await call(url, { headers: { ...gzip, Range: "bytes=-10" } });
		expect(tail.status).toBe(206);
		expectNoTransform(tail);
		expect(tail.headers.get("content-length")).toBe("10");
		expect(new Uint8Array(await tail.arrayBuffer())).toEqual(data.slice(-10));
	});
});

describe("downloads of types a browser would run or render", () => {
	it("are application/octet-stream; the file list keeps the type the uploader gave", async () => {
		const { apiKey } = await createOwner();
		const { uploadUrl, link } = await createLink(apiKey);
		const types = {
			"page.html": "text/html",
			"run.js": "text/javascript",
			"look.css": "text/css",
			"pic.svg": "image/svg+xml",
			"notes.txt": "text/plain",
		};
		for (const [name, type] of Object.entries(types))
			await uploaderFor(uploadUrl).upload(new TextEncoder().encode(name), { name, type });
		const files = await ownerClient(apiKey).listFiles(link.id);
		expect(Object.fromEntries(files.items.map((f) => [f.name, f.type]))).toEqual(types);
		for (const f of files.items) {
			const res = await call(f.downloadUrl, { headers: bearer(apiKey) });
			const expected = f.type === "text/plain" ? "text/plain" : "application/octet-stream";
			expect(res.headers.get("content-type"), f.name).toBe(expected);
			expect(res.headers.get("x-content-type-options"), f.name).toBe("nosniff");
			expect(await res.text(), f.name).toBe(f.name);
		}
	});
});

describe("the owner client", () => {
	it("downloads a file by its id", async () => {
		const { apiKey } = await createOwner();
		const { uploadUrl } = await createLink(apiKey);
		const data = new TextEncoder().encode("by id");
		const result = await uploaderFor(uploadUrl).upload(data, { name: "a.txt" });
		const res = await ownerClient(apiKey).downloadFileResponse(result.upload.fileId ?? "");
		expect(res.status).toBe(200);
		expect(new Uint8Array(await res.arrayBuffer())).toEqual(data);
	});
});
