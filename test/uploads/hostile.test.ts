/**
 * Hostile uploaders (docs/design.md#upload-rules, #security): bodies of the wrong length,
 * bad part numbers, missing, tampered and foreign tokens, dangerous file
 * names, malformed init bodies and checksums. Every refusal is a
 * problem+json, never a 2xx and never a 500, and nothing is recorded.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { CommandView, UploadView } from "../../src/do/rpc";
import {
	bodyOf,
	bytesOf,
	type Created,
	callLink,
	expectProblem,
	initRaw,
	initUpload,
	type Json,
	ORIGIN,
	openLink,
	parseUploadUrl,
	r2Keys,
	readLink,
	sha256HexOf,
	sleep,
	waitForCommand,
} from "../helpers";

const MiB = 1024 * 1024;
/** A multipart upload of two parts: 8 MiB, then 10 bytes. */
const TWO_PARTS = 8 * MiB + 10;

const uploadPath = (uploadId: string) => `/uploads/${uploadId}`;

function put(
	uploadUrl: string,
	s: Created,
	body: BodyInit,
	path = "",
	token = s.uploadToken,
): Promise<Response> {
	return callLink(uploadUrl, `${uploadPath(s.upload.id)}${path}`, {
		method: "PUT",
		headers: { "Upload-Token": token },
		body,
	});
}

async function status(uploadUrl: string, s: Created): Promise<UploadView> {
	const res = await callLink(uploadUrl, uploadPath(s.upload.id), {
		headers: { "Upload-Token": s.uploadToken },
	});
	expect(res.status).toBe(200);
	return (await bodyOf<{ upload: UploadView }>(res)).upload;
}

/**
 * A body with no Content-Length: the given chunks, streamed one at a time
 * with a pause between them, so the server sees each chunk on its own.
 */
function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
	let next = 0;
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			if (next > 0) await sleep(30);
			const chunk = chunks[next++];
			if (chunk) controller.enqueue(chunk);
			else controller.close();
		},
	});
}

/** Every request an uploader can make on a session, with the given Upload-Token header. */
function sessionCalls(uploadUrl: string, uploadId: string, headers: Record<string, string>) {
	const path = uploadPath(uploadId);
	const to = (p: string, init: RequestInit = {}) => callLink(uploadUrl, p, { ...init, headers });
	return [
		() => to(path),
		() => to(path, { method: "PUT", body: new Uint8Array([1, 2, 3]) }),
		() => to(`${path}/parts/1`, { method: "PUT", body: new Uint8Array([1, 2, 3]) }),
		() => to(`${path}/complete`, { method: "POST" }),
		() => to(`${path}/finalize`, { method: "POST" }),
		() => to(path, { method: "DELETE" }),
	];
}

function flip(s: string, i: number): string {
	return s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
}

describe("single PUT of the wrong length", () => {
	it("a body shorter than declared (Content-Length mismatch) is 400 length-mismatch; nothing is stored", async () => {
		const { linkId, uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "a.bin", size: 10 });
		await expectProblem(await put(uploadUrl, s, bytesOf(9)), 400, "length-mismatch");
		await expectProblem(await put(uploadUrl, s, new Uint8Array(0)), 400, "length-mismatch");
		expect(await r2Keys(linkId)).toEqual([]);
		expect(await status(uploadUrl, s)).toMatchObject({ state: "open", completedEpoch: null });
	});

	it("a body longer than declared (Content-Length mismatch) is 400 length-mismatch; nothing is stored", async () => {
		const { linkId, uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "a.bin", size: 10 });
		await expectProblem(await put(uploadUrl, s, bytesOf(11)), 400, "length-mismatch");
		expect(await r2Keys(linkId)).toEqual([]);
		expect((await status(uploadUrl, s)).state).toBe("open");
		// The session stays usable: the right body is then accepted.
		const ok = await put(uploadUrl, s, bytesOf(10));
		expect(ok.status).toBe(200);
		expect((await bodyOf<{ upload: UploadView }>(ok)).upload.state).toBe("completed");
		expect(await r2Keys(linkId)).toEqual([`links/${linkId}/uploads/${s.upload.id}`]);
	});

	it("a streamed body with no Content-Length that is too short is 400 length-mismatch; nothing is stored", async () => {
		const { linkId, uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "a.bin", size: 10 });
		await expectProblem(
			await put(uploadUrl, s, streamOf(bytesOf(4), bytesOf(5))),
			400,
			"length-mismatch",
		);
		expect(await r2Keys(linkId)).toEqual([]);
		expect((await status(uploadUrl, s)).state).toBe("open");
	});

	it("a streamed body with no Content-Length that is too long is 400 length-mismatch; nothing is stored", async () => {
		const { linkId, uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "a.bin", size: 10 });
		await expectProblem(await put(uploadUrl, s, streamOf(bytesOf(12))), 400, "length-mismatch");
		await expectProblem(
			await put(uploadUrl, s, streamOf(bytesOf(6), bytesOf(6))),
			400,
			"length-mismatch",
		);
		expect(await r2Keys(linkId)).toEqual([]);
		expect((await status(uploadUrl, s)).state).toBe("open");
		const ok = await put(uploadUrl, s, streamOf(bytesOf(6), bytesOf(4)));
		expect(ok.status).toBe(200);
	});

	it("a streamed body whose excess arrives after exactly the declared length leaves no object in R2", async () => {
		const { linkId, uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "a.bin", size: 10 });
		await expectProblem(
			await put(uploadUrl, s, streamOf(bytesOf(10), bytesOf(1))),
			400,
			"length-mismatch",
		);
		expect((await status(uploadUrl, s)).state).toBe("open");
		// The refused body must not be stored, not even its first `size` bytes.
		expect(await r2Keys(linkId)).toEqual([]);
	});

	it("a zero-byte file takes an empty body; a single byte is 400 length-mismatch", async () => {
		const { linkId, uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "empty.txt", size: 0 });
		expect(s.upload.mode).toBe("single");
		await expectProblem(await put(uploadUrl, s, new Uint8Array([1])), 400, "length-mismatch");
		expect(await r2Keys(linkId)).toEqual([]);
		const ok = await put(uploadUrl, s, new Uint8Array(0));
		expect(ok.status).toBe(200);
		expect((await bodyOf<{ upload: UploadView }>(ok)).upload.state).toBe("completed");
		expect((await env.FILES.head(`links/${linkId}/uploads/${s.upload.id}`))?.size).toBe(0);
	});

	it("a completed single upload cannot be overwritten by a second PUT (409)", async () => {
		const { linkId, uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "a.bin", size: 4 });
		expect((await put(uploadUrl, s, new Uint8Array([1, 2, 3, 4]))).status).toBe(200);
		await expectProblem(
			await put(uploadUrl, s, new Uint8Array([9, 9, 9, 9])),
			409,
			"upload-state-conflict",
		);
		const object = await env.FILES.get(`links/${linkId}/uploads/${s.upload.id}`);
		expect(new Uint8Array((await object?.arrayBuffer()) ?? new ArrayBuffer(0))).toEqual(
			new Uint8Array([1, 2, 3, 4]),
		);
	});
});

describe("multipart parts", () => {
	it("part 0 and part 10001 are 400 invalid-part-number", async () => {
		const { uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "big.bin", size: TWO_PARTS });
		expect(s.upload).toMatchObject({ mode: "multipart", partSize: 8 * MiB, partCount: 2 });
		for (const n of [0, 10001]) {
			await expectProblem(
				await put(uploadUrl, s, bytesOf(10), `/parts/${n}`),
				400,
				"invalid-part-number",
			);
		}
		expect((await status(uploadUrl, s)).parts).toEqual([]);
	});

	it("a part number beyond partCount is 400 invalid-part-number; a non-number is 400", async () => {
		const { uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "big.bin", size: TWO_PARTS });
		await expectProblem(
			await put(uploadUrl, s, bytesOf(10), "/parts/3"),
			400,
			"invalid-part-number",
		);
		for (const n of ["x", "-1", "1.5", "1234567"]) {
			await expectProblem(
				await put(uploadUrl, s, bytesOf(10), `/parts/${n}`),
				400,
				"validation-failed",
			);
		}
		expect((await status(uploadUrl, s)).parts).toEqual([]);
	});

	it("a non-last part of the wrong length is 400 length-mismatch and nothing is recorded", async () => {
		const { uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "big.bin", size: TWO_PARTS });
		await expectProblem(await put(uploadUrl, s, bytesOf(10), "/parts/1"), 400, "length-mismatch");
		await expectProblem(
			await put(uploadUrl, s, bytesOf(8 * MiB + 1), "/parts/1"),
			400,
			"length-mismatch",
		);
		await expectProblem(
			await put(uploadUrl, s, streamOf(bytesOf(1024)), "/parts/1"),
			400,
			"length-mismatch",
		);
		// The last part must hold exactly the rest.
		await expectProblem(await put(uploadUrl, s, bytesOf(11), "/parts/2"), 400, "length-mismatch");
		expect(await status(uploadUrl, s)).toMatchObject({ state: "open", parts: [] });
	});

	it("complete with a missing part is 409 upload-incomplete listing it in missingParts", async () => {
		const { linkId, uploadUrl } = await openLink();
		const data = bytesOf(TWO_PARTS, 5);
		const s = await initUpload(uploadUrl, { name: "big.bin", size: TWO_PARTS });
		const last = await put(uploadUrl, s, data.slice(8 * MiB), "/parts/2");
		expect(last.status).toBe(200);
		expect(await bodyOf(last)).toMatchObject({ partNumber: 2, size: 10 });
		const complete = () =>
			callLink(uploadUrl, `${uploadPath(s.upload.id)}/complete`, {
				method: "POST",
				headers: { "Upload-Token": s.uploadToken },
			});
		const p = await expectProblem(await complete(), 409, "upload-incomplete");
		expect(p.missingParts).toEqual([1]);
		expect((await status(uploadUrl, s)).state).toBe("open");

		expect((await put(uploadUrl, s, data.slice(0, 8 * MiB), "/parts/1")).status).toBe(200);
		const done = await complete();
		expect(done.status).toBe(200);
		expect((await bodyOf<{ upload: UploadView }>(done)).upload.state).toBe("completed");
		const object = await env.FILES.head(`links/${linkId}/uploads/${s.upload.id}`);
		expect(object?.size).toBe(TWO_PARTS);
	});

	it("parts to a single upload and a single PUT to a multipart upload are 409", async () => {
		const { uploadUrl } = await openLink();
		const single = await initUpload(uploadUrl, { name: "a.bin", size: 3 });
		await expectProblem(
			await put(uploadUrl, single, bytesOf(3), "/parts/1"),
			409,
			"upload-state-conflict",
		);
		const multi = await initUpload(uploadUrl, { name: "big.bin", size: TWO_PARTS });
		await expectProblem(await put(uploadUrl, multi, bytesOf(3)), 409, "upload-state-conflict");
		// Completing a single upload before its PUT names the one missing "part".
		const p = await expectProblem(
			await callLink(uploadUrl, `${uploadPath(single.upload.id)}/complete`, {
				method: "POST",
				headers: { "Upload-Token": single.uploadToken },
			}),
			409,
			"upload-incomplete",
		);
		expect(p.missingParts).toEqual([1]);
	});
});

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
			await callLink(uploadUrl, `/uploads`, {
				method: "POST",
				headers: { "Content-Type": "text/plain" },
				body: '{"name":"a.txt","size":1}',
			}),
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
			await callLink(uploadUrl, `/uploads`, {
				method: "POST",
				headers: { "Content-Type": "application/json" },
				body: '{"name":"a.txt","size":1,"__proto__":{"admin":true}}',
			}),
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
			await callLink(uploadUrl, `/uploads`, {
				method: "POST",
				headers: { "Content-Type": "application/json" },
				body: '{"name":"a.txt","size":1e400}',
			}),
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

describe("checksums", () => {
	it("a single PUT whose bytes do not match the declared sha256 is 400 checksum-mismatch; nothing is stored", async () => {
		const { linkId, uploadUrl } = await openLink();
		const data = bytesOf(64, 1);
		const s = await initUpload(uploadUrl, {
			name: "a.bin",
			size: 64,
			sha256: await sha256HexOf(data),
		});
		await expectProblem(await put(uploadUrl, s, bytesOf(64, 2)), 400, "checksum-mismatch");
		expect(await r2Keys(linkId)).toEqual([]);
		expect((await status(uploadUrl, s)).state).toBe("open");
		// The right bytes are then accepted, finalized, and kept.
		expect((await put(uploadUrl, s, data)).status).toBe(200);
		const fin = await callLink(uploadUrl, `${uploadPath(s.upload.id)}/finalize`, {
			method: "POST",
			headers: { "Upload-Token": s.uploadToken },
		});
		expect(fin.status).toBe(202);
		const { command } = await bodyOf<{ command: CommandView }>(fin);
		expect(await waitForCommand(command.id, ["succeeded", "rejected"])).toMatchObject({
			status: "succeeded",
			result: "finalized",
		});
	});

	it("a multipart upload whose bytes do not match the declared sha256 is rejected at finalize", async () => {
		const { linkId, uploadUrl } = await openLink();
		const data = bytesOf(TWO_PARTS, 8);
		const s = await initUpload(uploadUrl, {
			name: "big.bin",
			size: TWO_PARTS,
			sha256: await sha256HexOf(bytesOf(TWO_PARTS, 9)),
		});
		expect((await put(uploadUrl, s, data.slice(0, 8 * MiB), "/parts/1")).status).toBe(200);
		expect((await put(uploadUrl, s, data.slice(8 * MiB), "/parts/2")).status).toBe(200);
		const headers = { "Upload-Token": s.uploadToken };
		const path = uploadPath(s.upload.id);
		expect(
			(await callLink(uploadUrl, `${path}/complete`, { method: "POST", headers })).status,
		).toBe(200);
		const fin = await callLink(uploadUrl, `${path}/finalize`, { method: "POST", headers });
		expect(fin.status).toBe(202);
		const { command } = await bodyOf<{ command: CommandView }>(fin);
		expect(await waitForCommand(command.id, ["succeeded", "rejected"])).toMatchObject({
			status: "rejected",
			result: "checksum-mismatch",
		});
		expect((await status(uploadUrl, s)).state).toBe("rejected");
		expect(await r2Keys(linkId)).toEqual([]);
		// The rejected upload's reservation is released.
		const { link } = await bodyOf<{ link: { counters: Json } }>(await readLink(linkId));
		expect(link.counters).toEqual({ files: 0, bytes: 0, reservedFiles: 0, reservedBytes: 0 });
	});
});

describe("aborted uploads", () => {
	it("abort then PUT is 410 upload-aborted; abort again is 204", async () => {
		const { linkId, uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "a.bin", size: 3 });
		const headers = { "Upload-Token": s.uploadToken };
		const path = uploadPath(s.upload.id);
		expect((await callLink(uploadUrl, path, { method: "DELETE", headers })).status).toBe(204);
		await expectProblem(await put(uploadUrl, s, bytesOf(3)), 410, "upload-aborted");
		await expectProblem(
			await callLink(uploadUrl, `${path}/complete`, { method: "POST", headers }),
			410,
			"upload-aborted",
		);
		await expectProblem(
			await callLink(uploadUrl, `${path}/finalize`, { method: "POST", headers }),
			410,
			"upload-aborted",
		);
		expect((await callLink(uploadUrl, path, { method: "DELETE", headers })).status).toBe(204);
		expect((await status(uploadUrl, s)).state).toBe("aborted");
		expect(await r2Keys(linkId)).toEqual([]);
	});

	it("abort of a multipart upload then a part PUT is 410 upload-aborted", async () => {
		const { linkId, uploadUrl } = await openLink();
		const s = await initUpload(uploadUrl, { name: "big.bin", size: TWO_PARTS });
		expect((await put(uploadUrl, s, bytesOf(10), "/parts/2")).status).toBe(200);
		const headers = { "Upload-Token": s.uploadToken };
		const path = uploadPath(s.upload.id);
		expect((await callLink(uploadUrl, path, { method: "DELETE", headers })).status).toBe(204);
		await expectProblem(await put(uploadUrl, s, bytesOf(10), "/parts/2"), 410, "upload-aborted");
		expect(await r2Keys(linkId)).toEqual([]);
	});
});
