/**
 * Capability secrets never travel in a path, and forged link ids never reach
 * a Durable Object (issue 9, items 3 and 5).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { UploaderClient } from "../../src/client";
import type { LinkDO } from "../../src/do/link-do";
import { isAuthenticLinkId, newLinkId } from "../../src/lib/ids";
import {
	ADMIN,
	bearer,
	call,
	callLink,
	createLink,
	createOwner,
	expectProblem,
	issue,
	openLink,
	parseUploadUrl,
	setFaults,
	stubOf,
	uploaderFor,
	waitForCommand,
} from "../helpers";
import { capturedLogs, findSecrets } from "../log-secrets";

const SECRET = "A".repeat(43);

/** Durable Object calls a request made, from its Server-Timing header. */
function doCalls(res: Response): number {
	const m = /do;desc="(\d+) calls"/.exec(res.headers.get("server-timing") ?? "");
	if (!m?.[1]) throw new Error(`no DO count in Server-Timing: ${res.headers.get("server-timing")}`);
	return Number(m[1]);
}

/** Every route that names a link id, uploader and owner side. */
function routesFor(linkId: string): [string, RequestInit][] {
	const uploader = { "Link-Secret": SECRET, "Upload-Token": SECRET };
	const upload = `/r/${linkId}/uploads/upl_00000000000000000000`;
	return [
		[`/r/${linkId}`, { headers: uploader }],
		[
			`/r/${linkId}/uploads`,
			{
				method: "POST",
				headers: { ...uploader, "Content-Type": "application/json" },
				body: JSON.stringify({ name: "a.txt", size: 1 }),
			},
		],
		[upload, { headers: uploader }],
		[upload, { method: "PUT", headers: uploader, body: "x" }],
		[`${upload}/parts/1`, { method: "PUT", headers: uploader, body: "x" }],
		[`${upload}/complete`, { method: "POST", headers: uploader }],
		[`${upload}/finalize`, { method: "POST", headers: uploader }],
		[upload, { method: "DELETE", headers: uploader }],
		[`/api/links/${linkId}`, { headers: ADMIN }],
		[`/api/links/${linkId}/pause`, { method: "POST", headers: ADMIN }],
		[`/api/links/${linkId}/revoke`, { method: "POST", headers: ADMIN }],
		[`/api/links/${linkId}/uploads`, { headers: ADMIN }],
		[`/api/links/${linkId}/commands`, { headers: ADMIN }],
		[`/api/commands/cmd_${linkId.slice(4)}000000000000`, { headers: ADMIN }],
	];
}

describe("link ids carry a MAC checked at the edge", () => {
	it("a new link's id verifies; one flipped character does not", async () => {
		const { linkId } = await openLink();
		expect(linkId).toMatch(/^lnk_[0-9a-z]{26}$/);
		expect(await isAuthenticLinkId(env.LINK_ID_SECRET, linkId)).toBe(true);
		const last = linkId.at(-1) === "a" ? "b" : "a";
		expect(await isAuthenticLinkId(env.LINK_ID_SECRET, `${linkId.slice(0, -1)}${last}`)).toBe(
			false,
		);
		expect(await isAuthenticLinkId("another-secret", linkId)).toBe(false);
	});

	it("a forged id is 404 on every route without a single Durable Object call", async () => {
		const forged = `lnk_${"0".repeat(16)}${"1".repeat(10)}`;
		for (const [path, init] of routesFor(forged)) {
			const res = await call(path, init);
			const p = await expectProblem(res, 404);
			expect(["link-not-found", "command-not-found"], path).toContain(p.code);
			expect(doCalls(res), `${init.method ?? "GET"} ${path}`).toBe(0);
		}
	});

	it("an authentic id of a link never created is 404 and leaves its Durable Object empty", async () => {
		const unknown = await newLinkId(env.LINK_ID_SECRET);
		for (const [path, init] of routesFor(unknown)) {
			const p = await expectProblem(await call(path, init), 404);
			expect(["link-not-found", "command-not-found"], path).toContain(p.code);
		}
		const storage = await runInDurableObject(stubOf(unknown), (_i: LinkDO, state) => ({
			tables: state.storage.sql
				.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
				.toArray()
				.map((r) => r.name),
		}));
		expect(storage.tables).toEqual([]);
	});

	it("every wrong secret gets the same answer as an unknown link", async () => {
		const { linkId, uploadUrl } = await openLink();
		const secret = parseUploadUrl(uploadUrl).secret;
		const wrong = `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
		const answers = await Promise.all(
			[
				call(`/r/lnk_${"0".repeat(26)}`, { headers: { "Link-Secret": secret } }),
				call(`/r/${linkId}`),
				call(`/r/${linkId}`, { headers: { "Link-Secret": "short" } }),
				call(`/r/${linkId}`, { headers: { "Link-Secret": wrong } }),
			].map(async (r) => {
				const res = await r;
				return { status: res.status, body: await res.text() };
			}),
		);
		for (const a of answers) expect(a).toEqual(answers[0]);
		expect(answers[0]?.status).toBe(404);
	});
});

describe("the link secret travels only in the fragment and the Link-Secret header", () => {
	it("uploadUrl is <origin>/r/<linkId>#<secret>, and the path alone opens nothing", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		const url = new URL(uploadUrl);
		expect(url.pathname).toBe(`/r/${link.id}`);
		expect(url.hash).toMatch(/^#[A-Za-z0-9_-]{43}$/);
		// What a client sends for the URL (no fragment) is not enough.
		await expectProblem(await call(url.pathname), 404, "link-not-found");
		expect((await callLink(uploadUrl, "")).status).toBe(200);
		// The owner's views of the link never show the secret again.
		const secret = url.hash.slice(1);
		for (const path of [`/api/links/${link.id}`, "/api/links"]) {
			const text = await (await call(path, { headers: bearer(apiKey) })).text();
			expect(text).not.toContain(secret);
		}
	});

	it("init answers a Location without the secret; the client sends it only as a header", async () => {
		const { uploadUrl, linkId } = await openLink();
		const secret = parseUploadUrl(uploadUrl).secret;
		const seen: { url: string; secretHeader: string | null }[] = [];
		// Record what the client puts on the wire.
		const traced = new UploaderClient(uploadUrl, {
			fetch: (input, init) => {
				seen.push({ url: input, secretHeader: new Headers(init?.headers).get("link-secret") });
				return call(new URL(input).pathname + new URL(input).search, init);
			},
			pollMs: 25,
			sleep: () => new Promise((r) => setTimeout(r, 10)),
		});
		const result = await traced.upload(new TextEncoder().encode("hello"), { name: "h.txt" });
		expect(result.command.status).toBe("succeeded");
		expect(seen.length).toBeGreaterThan(3);
		for (const s of seen) expect(s.url).not.toContain(secret);
		const uploaderCalls = seen.filter((s) => s.url.includes(`/r/${linkId}`));
		expect(uploaderCalls.length).toBeGreaterThan(0);
		for (const s of uploaderCalls) expect(s.secretHeader).toBe(secret);
	});
});

describe("logs carry no secret", () => {
	it("the capture sees the Durable Object's own log lines, and none of them has a secret", async () => {
		const { apiKey, linkId, uploadUrl } = await openLink({ password: "correct horse battery" });
		const capture = capturedLogs();
		const before = capture.lines.length;
		await uploaderFor(uploadUrl).upload(new Uint8Array([1, 2, 3]), {
			name: "a.bin",
			password: "correct horse battery",
		});
		await setFaults(linkId, { failSend: 1 });
		const res = await issue("revoke", linkId, apiKey);
		const { command } = (await res.json()) as { command: { id: string } };
		await waitForCommand(command.id);
		const lines = capture.lines.slice(before);
		// The injected send failure is logged by the DO as `outbox.send-failed` (with the command id, which is not secret).
		expect(lines.some((l) => l.includes("outbox.send-failed") && l.includes(command.id))).toBe(
			true,
		);
		expect(findSecrets(lines)).toEqual([]);
	});

	it("the detector itself finds every kind of secret", () => {
		const kinds = findSecrets([
			`GET /r/lnk_x#${SECRET}`,
			"Authorization: Bearer rlk_abcdefghijklmnopqrstuvwxyz",
			"Retry-Token: rt1.cmd_abc.1764460800.sig",
			`admin ${env.ADMIN_TOKEN}`,
			"password correct horse battery",
			"pbkdf2-sha256$100000$salt$hash",
			"secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		]).map(([kind]) => kind);
		expect(new Set(kinds)).toEqual(
			new Set([
				"a link secret or upload token",
				"an owner API key",
				"a Retry-Token",
				"the admin token",
				"a password",
				"a stored password hash",
				"a webhook signing secret",
			]),
		);
		expect(findSecrets(["lnk_0123456789abcdefghjkmnpqrs", `sha256 ${"a".repeat(64)}`])).toEqual([]);
	});
});
