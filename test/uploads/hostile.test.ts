/**
 * Hostile uploaders, bodies and bytes (docs/design.md#upload-rules): bodies of
 * the wrong length, bad part numbers, checksums, writes to aborted uploads.
 * Every refusal is a problem+json, never a 2xx and never a 500, and nothing
 * is recorded. Tokens, names and init bodies: hostile-requests.test.ts.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { CommandView, UploadView } from "../../src/do/rpc";
import {
	bodyOf,
	bytesOf,
	callLink,
	expectProblem,
	initUpload,
	type Json,
	openLink,
	r2Keys,
	readLink,
	sha256HexOf,
	waitForCommand,
} from "../helpers";
import { MiB, put, status, streamOf, TWO_PARTS, uploadPath } from "./hostile-shared";

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
