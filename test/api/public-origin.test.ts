/**
 * The URLs the service hands out name its configured public origin
 * (`PUBLIC_ORIGIN`), never the request's host: a client that sends
 * `Host: evil.example` must not get an upload URL, with its secret, on
 * someone else's host. Without a configured origin only loopback requests
 * (local development) name their own; anything else is 503
 * `public-origin-unset`, before a link or an upload is created.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, onTestFinished } from "vitest";
import { bearer, createLink, createOwner, expectProblem, ORIGIN, parseUploadUrl } from "../helpers";

const vars = env as unknown as Record<string, string>;

/** A request to the Worker under another host than the configured one. */
function callAt(origin: string, path: string, init: RequestInit = {}): Promise<Response> {
	return exports.default.fetch(`${origin}${path}`, init);
}

const newLinkAt = (origin: string, apiKey: string) =>
	callAt(origin, "/api/links", {
		method: "POST",
		headers: { ...bearer(apiKey), "Content-Type": "application/json" },
		body: JSON.stringify({ title: "Origin" }),
	});

/** Runs the rest of the test with PUBLIC_ORIGIN set to `value`. */
function withPublicOrigin(value: string): void {
	const before = vars.PUBLIC_ORIGIN;
	vars.PUBLIC_ORIGIN = value;
	onTestFinished(() => {
		vars.PUBLIC_ORIGIN = before as string;
	});
}

describe("the public origin of handed-out URLs", () => {
	it("a request to another host still gets an upload URL on the configured origin", async () => {
		const { apiKey } = await createOwner();
		const res = await newLinkAt("https://evil.example", apiKey);
		expect(res.status).toBe(201);
		const { uploadUrl, link } = (await res.json()) as { uploadUrl: string; link: { id: string } };
		expect(parseUploadUrl(uploadUrl).origin).toBe(ORIGIN);
		const again = await callAt("https://evil.example", `/api/links/${link.id}/upload-url`, {
			headers: bearer(apiKey),
		});
		expect(((await again.json()) as { uploadUrl: string }).uploadUrl).toBe(uploadUrl);
	});

	it("a tus creation's Location names the configured origin", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		const res = await callAt("https://evil.example", `/r/${link.id}/tus/`, {
			method: "POST",
			headers: {
				"Tus-Resumable": "1.0.0",
				"Link-Secret": parseUploadUrl(uploadUrl).secret,
				"Upload-Length": "3",
			},
		});
		expect(res.status).toBe(201);
		expect(res.headers.get("location")).toMatch(new RegExp(`^${ORIGIN}/r/${link.id}/tus/upl_`));
	});

	it("a configured origin with a path or a trailing slash is used as its origin", async () => {
		withPublicOrigin("https://files.example.com/");
		const { apiKey } = await createOwner();
		const res = await newLinkAt(ORIGIN, apiKey);
		const { uploadUrl } = (await res.json()) as { uploadUrl: string };
		expect(uploadUrl).toMatch(/^https:\/\/files\.example\.com\/r\/lnk_/);
	});

	it("unset: another host is 503 public-origin-unset and no link is created", async () => {
		withPublicOrigin("");
		const { apiKey } = await createOwner();
		await expectProblem(
			await newLinkAt("https://evil.example", apiKey),
			503,
			"public-origin-unset",
		);
		const list = await callAt(ORIGIN, "/api/links", { headers: bearer(apiKey) });
		expect(((await list.json()) as { items: unknown[] }).items).toEqual([]);
	});

	it("unset: a loopback request (wrangler dev) names its own origin", async () => {
		withPublicOrigin("");
		const { apiKey } = await createOwner();
		const res = await newLinkAt("http://localhost:8787", apiKey);
		expect(res.status).toBe(201);
		const { uploadUrl } = (await res.json()) as { uploadUrl: string };
		expect(parseUploadUrl(uploadUrl).origin).toBe("http://localhost:8787");
	});
});
