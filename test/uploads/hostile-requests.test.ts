/**
 * Hostile uploaders, requests (docs/design.md#security): missing, tampered
 * and foreign tokens, dangerous file names, malformed init bodies. Every
 * refusal is a problem+json, never a 2xx and never a 500, and nothing is
 * recorded. Bodies and bytes: hostile.test.ts.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	bytesOf,
	callLink,
	expectProblem,
	initRaw,
	initUpload,
	type Json,
	ORIGIN,
	openLink,
	parseUploadUrl,
	r2Keys,
	sha256HexOf,
} from "../helpers";
import { flip, postInit, put, sessionCalls, status } from "./hostile-shared";

describe("upload tokens", () => {
	it("a missing Upload-Token is 401 unauthorized on every session route", async () => {
		const { uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "a.bin", size: 3 });
		for (const request of sessionCalls(uploadUrl, s.upload.id, {}))
			await expectProblem(await request(), 401, "unauthorized");
		expect((await status(uploadUrl, s)).state).toBe("open");
	});

	it("tampered, truncated, too long, empty and another session's tokens are 404, never 2xx", async () => {
		const { linkId, uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "a.bin", size: 3 });
		const other = await initUpload(uploadUrl, { name: "b.bin", size: 3 });
		const t = s.uploadToken;
		const bad = [
			flip(t, 0),
			flip(t, t.length - 1),
			flip(t, 20),
			t.slice(0, -1),
			t.slice(1),
			`${t}A`,
			`${t}${t}`,
			"",
			"x".repeat(2000),
			other.uploadToken,
		];
		for (const token of bad) {
			for (const request of sessionCalls(uploadUrl, s.upload.id, { "Upload-Token": token }))
				await expectProblem(await request(), 404, "upload-not-found");
		}
		// None of them touched the session: it is open, empty, and its bytes were never stored.
		expect(await status(uploadUrl, s)).toMatchObject({ state: "open", finalize: null });
		expect(await status(uploadUrl, other)).toMatchObject({ state: "open" });
		expect(await r2Keys(linkId)).toEqual([]);
	});

	it("a valid upload token is 404 under another link, a tampered link id or a wrong link secret", async () => {
		const { linkId, uploadUrl } = await openLink();
		const { uploadUrl: otherLink } = await openLink();
		const s = await initUpload(uploadUrl, { name: "a.bin", size: 3 });
		const headers = { "Upload-Token": s.uploadToken };
		const secret = parseUploadUrl(uploadUrl).secret;
		for (const request of sessionCalls(otherLink, s.upload.id, headers))
			await expectProblem(await request(), 404, "upload-not-found");
		// Another link's secret with this link's id, a flipped secret, a forged link id.
		const tampered = [
			`${ORIGIN}/r/${linkId}#${parseUploadUrl(otherLink).secret}`,
			`${ORIGIN}/r/${linkId}#${flip(secret, secret.length - 1)}`,
			`${ORIGIN}/r/${flip(linkId, 4)}#${secret}`,
			`${ORIGIN}/r/${flip(linkId, linkId.length - 1)}#${secret}`,
		];
		for (const url of tampered) {
			for (const request of sessionCalls(url, s.upload.id, headers))
				await expectProblem(await request(), 404, "link-not-found");
		}
		for (const malformed of ["nope", secret.slice(0, -1), `${secret}A`, ""]) {
			const withSecret = { ...headers, "Link-Secret": malformed };
			for (const request of sessionCalls(uploadUrl, s.upload.id, withSecret))
				await expectProblem(await request(), 404, "link-not-found");
		}
		expect((await status(uploadUrl, s)).state).toBe("open");
	});

	it("an unknown or malformed upload id is 404 upload-not-found", async () => {
		const { uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "a.bin", size: 3 });
		const headers = { "Upload-Token": s.uploadToken };
		for (const id of ["upl_00000000000000000000", "nope", flip(s.upload.id, 6)]) {
			for (const request of sessionCalls(uploadUrl, id, headers))
				await expectProblem(await request(), 404, "upload-not-found");
		}
	});
});

describe("file names", () => {
	// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
	const forbidden = /[/\\\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

	it("paths, NUL, control and bidi-override characters never reach the stored name", async () => {
		const { uploadUrl } = await openLink();
		const cases: [string, string][] = [
			["../../etc/passwd", "passwd"],
			["..\\..\\windows\\win.ini", "win.ini"],
			["/abs/path/report.pdf", "report.pdf"],
			["a\u0000b.txt", "ab.txt"],
			["line\r\nbreak.txt", "linebreak.txt"],
			["invoice\u202egpj.exe", "invoicegpj.exe"],
			["\u2066isolate\u2069.txt", "isolate.txt"],
			['quo"te.txt', "quote.txt"],
			["photo.jpg.php", "photo.jpg.php"],
			[".jpg.php", "jpg.php"],
			["../", "file"],
			["\u0000", "file"],
		];
		for (const [name, stored] of cases) {
			const { upload } = await initUpload(uploadUrl, { name, size: 1 });
			expect(upload.name, JSON.stringify(name)).toBe(stored);
			expect(upload.name).not.toMatch(forbidden);
		}
	});

	it("a 2000-character name is 400 validation-failed; a 1000-character one is stored bounded", async () => {
		const { uploadUrl } = await openLink();
		await expectProblem(
			await initRaw(uploadUrl, { name: `${"a".repeat(1996)}.txt`, size: 1 }),
			400,
			"validation-failed",
		);
		const { upload } = await initUpload(uploadUrl, {
			name: `${"dir/".repeat(10)}${"\u202eb".repeat(480)}.txt`,
			size: 1,
		});
		expect(upload.name.length).toBeGreaterThan(0);
		expect([...upload.name].length).toBeLessThanOrEqual(200);
		expect(upload.name).not.toMatch(forbidden);
		expect(upload.name.startsWith("b")).toBe(true);
		const long = await initUpload(uploadUrl, { name: `${"n".repeat(996)}.txt`, size: 1 });
		expect(long.upload.name).toBe("n".repeat(200));
	});

	it("the R2 key is generated from the ids, never from the file name", async () => {
		const { linkId, uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, {
			name: "../../../other/uploads/x\u202e.jpg.php",
			size: 3,
		});
		expect((await put(uploadUrl, s, bytesOf(3))).status).toBe(200);
		expect(await r2Keys(linkId)).toEqual([`links/${linkId}/uploads/${s.upload.id}`]);
		const all = await env.FILES.list({ prefix: "links/" });
		expect(all.objects.filter((o) => o.key.includes("other"))).toEqual([]);
	});
});

describe("malformed init bodies", () => {
	it("malformed JSON is 400 malformed-json; a non-JSON content type is 415", async () => {
		const { uploadUrl } = await openLink();
		for (const body of ["{", '{"name":', "nul", '{"name":"a","size":1}}']) {
			await expectProblem(
				await callLink(uploadUrl, `/uploads`, {
					method: "POST",
					headers: { "Content-Type": "application/json" },
					body,
				}),
				400,
				"malformed-json",
			);
		}
		await expectProblem(
			await postInit(uploadUrl, '{"name":"a.txt","size":1}', "text/plain"),
			415,
			"unsupported-media-type",
		);
	});

	it("non-object JSON, unknown fields, missing fields and bad names are 400 validation-failed", async () => {
		const { uploadUrl } = await openLink();
		for (const body of [
			[],
			[{ name: "a.txt", size: 1 }],
			"a.txt",
			1,
			null,
			true,
			{},
			{ name: "a.txt" },
			{ size: 1 },
			{ name: "", size: 1 },
			{ name: 7, size: 1 },
			{ name: "a.txt", size: 1, admin: true },
			{ name: "a.txt", size: 1, state: "finalized" },
			{ name: "a.txt", size: 1, constructor: "x" },
			{ name: "a.txt", size: 1, type: "not a mime" },
		]) {
			await expectProblem(await initRaw(uploadUrl, body as Json), 400, "validation-failed");
		}
		await expectProblem(
			await postInit(
				uploadUrl,
				'{"name":"a.txt","size":1,"__proto__":{"admin":true}}',
				"application/json",
			),
			400,
			"validation-failed",
		);
	});

	it("negative, fractional, huge and non-numeric sizes are 400 validation-failed", async () => {
		const { uploadUrl } = await openLink();
		for (const size of [-1, -0.5, 1.5, 5 * 1024 ** 4 + 1, 1e300, "10", null, Number.NaN]) {
			await expectProblem(
				await initRaw(uploadUrl, { name: "a.txt", size }),
				400,
				"validation-failed",
			);
		}
		await expectProblem(
			await postInit(uploadUrl, '{"name":"a.txt","size":1e400}', "application/json"),
			400,
			"validation-failed",
		);
		// At the schema's bound (5 TiB) the size is well-formed, and the link's limit refuses it.
		await expectProblem(
			await initRaw(uploadUrl, { name: "a.txt", size: 5 * 1024 ** 4 }),
			413,
			"file-too-large",
		);
	});

	it("a sha256 that is not 64 hex digits is 400 validation-failed", async () => {
		const { uploadUrl } = await openLink();
		const good = await sha256HexOf(bytesOf(3));
		for (const sha256 of [
			good.slice(1),
			`${good}0`,
			`${good.slice(1)}z`,
			"",
			42,
			`sha256:${good}`,
		]) {
			await expectProblem(
				await initRaw(uploadUrl, { name: "a.txt", size: 3, sha256 }),
				400,
				"validation-failed",
			);
		}
		const upper = await initUpload(uploadUrl, {
			name: "a.txt",
			size: 3,
			sha256: good.toUpperCase(),
		});
		expect(upper.upload.sha256).toBe(good);
	});
});
