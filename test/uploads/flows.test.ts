import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
	bearer,
	bodyOf,
	bytesOf,
	call,
	callLink,
	callSession,
	createLink,
	createOwner,
	expectProblem,
	initRaw,
	type Json,
	r2Keys,
	sha256HexOf,
	uploaderFor,
} from "../helpers";

const MiB = 1024 * 1024;

async function download(apiKey: string, url: string, headers: Record<string, string> = {}) {
	return call(url, { headers: { ...bearer(apiKey), ...headers } });
}

describe("upload flows", () => {
	it("single upload: init, PUT, finalize, and the owner downloads the same bytes", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		const data = bytesOf(1234, 7);
		const result = await uploaderFor(uploadUrl).upload(data, {
			name: "notes.txt",
			type: "text/plain",
			uploaderName: "Bea",
			sha256: await sha256HexOf(data),
		});
		expect(result.command).toMatchObject({
			kind: "finalize",
			status: "succeeded",
			result: "finalized",
		});
		expect(result.upload).toMatchObject({
			mode: "single",
			state: "finalized",
			admittedEpoch: 1,
			completedEpoch: 1,
			finalizedEpoch: 1,
		});
		const files = await bodyOf<{
			items: { id: string; downloadUrl: string; size: number; uploaderName: string }[];
		}>(await call(`/api/links/${link.id}/files`, { headers: bearer(apiKey) }));
		expect(files.items).toHaveLength(1);
		expect(files.items[0]).toMatchObject({ size: 1234, uploaderName: "Bea" });
		const res = await download(apiKey, files.items[0]?.downloadUrl ?? "");
		expect(res.status).toBe(200);
		expect(res.headers.get("content-disposition")).toBe(
			`attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`,
		);
		expect(res.headers.get("x-content-type-options")).toBe("nosniff");
		expect(await sha256HexOf(await res.arrayBuffer())).toBe(await sha256HexOf(data));
		const linkNow = await bodyOf<{ link: { counters: Json } }>(
			await call(`/api/links/${link.id}`, { headers: bearer(apiKey) }),
		);
		expect(linkNow.link.counters).toEqual({
			files: 1,
			bytes: 1234,
			reservedFiles: 0,
			reservedBytes: 0,
		});
	});

	it("multipart upload of 3 parts (8 + 8 + 4 MiB): bytes downloaded equal bytes uploaded", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey);
		const data = bytesOf(20 * MiB, 3);
		const client = uploaderFor(uploadUrl, 3);
		const { session, upload } = await client.init(data.byteLength, { name: "video.bin" });
		expect(upload).toMatchObject({ mode: "multipart", partSize: 8 * MiB, partCount: 3 });
		const result = await client.resume(session, data);
		expect(result.upload.parts.map((p) => p.size)).toEqual([8 * MiB, 8 * MiB, 4 * MiB]);
		expect(result.command.status).toBe("succeeded");
		const fileId = result.upload.fileId ?? "";
		const res = await download(apiKey, `/api/files/${fileId}/content`);
		expect(Number(res.headers.get("content-length"))).toBe(20 * MiB);
		expect(await sha256HexOf(await res.arrayBuffer())).toBe(await sha256HexOf(data));
		expect(await r2Keys(link.id)).toEqual([`links/${link.id}/uploads/${upload.id}`]);
	});

	it("serves byte ranges (206) and refuses unsatisfiable ones (416)", async () => {
		const { apiKey } = await createOwner();
		const { uploadUrl } = await createLink(apiKey);
		const data = new TextEncoder().encode("0123456789");
		const { upload } = await uploaderFor(uploadUrl).upload(data, { name: "digits.txt" });
		const url = `/api/files/${upload.fileId}/content`;
		const part = await download(apiKey, url, { Range: "bytes=2-5" });
		expect(part.status).toBe(206);
		expect(part.headers.get("content-range")).toBe("bytes 2-5/10");
		expect(await part.text()).toBe("2345");
		const tail = await download(apiKey, url, { Range: "bytes=-3" });
		expect(await tail.text()).toBe("789");
		const res = await download(apiKey, url, { Range: "bytes=50-" });
		await expectProblem(res, 416, "range-not-satisfiable");
	});

	it("keeps other owners away from files and uploads (404)", async () => {
		const a = await createOwner();
		const b = await createOwner();
		const { link, uploadUrl } = await createLink(a.apiKey);
		const { upload } = await uploaderFor(uploadUrl).upload(bytesOf(10), { name: "a.txt" });
		await expectProblem(
			await download(b.apiKey, `/api/files/${upload.fileId}/content`),
			404,
			"file-not-found",
		);
		await expectProblem(
			await call(`/api/links/${link.id}/files`, { headers: bearer(b.apiKey) }),
			404,
			"link-not-found",
		);
		await expectProblem(
			await call(`/api/links/${link.id}/uploads`, { headers: bearer(b.apiKey) }),
			404,
			"link-not-found",
		);
		const mine = await bodyOf<{ items: { id: string; state: string }[] }>(
			await call(`/api/links/${link.id}/uploads`, { headers: bearer(a.apiKey) }),
		);
		expect(mine.items).toMatchObject([{ id: upload.id, state: "finalized" }]);
	});

	it("an uploader cannot read another uploader's session", async () => {
		const { apiKey } = await createOwner();
		const { uploadUrl } = await createLink(apiKey);
		const client = uploaderFor(uploadUrl);
		const first = await client.init(5, { name: "a.txt" });
		const second = await client.init(5, { name: "b.txt" });
		const res = await callLink(uploadUrl, `/uploads/${first.session.uploadId}`, {
			headers: { "Upload-Token": second.session.uploadToken },
		});
		await expectProblem(res, 404, "upload-not-found");
	});

	it("abort answers 204, releases the quota and removes the bytes; a later PUT is 410", async () => {
		const { apiKey } = await createOwner();
		const { link, uploadUrl } = await createLink(apiKey, { maxFiles: 1 });
		const client = uploaderFor(uploadUrl);
		const { session } = await client.init(20 * MiB, { name: "big.bin" });
		await callSession(uploadUrl, session, "/parts/1", { method: "PUT", body: bytesOf(8 * MiB) });
		await expectProblem(
			await initRaw(uploadUrl, { name: "x.txt", size: 1 }),
			409,
			"quota-exceeded",
		);
		const aborted = await callSession(uploadUrl, session, "", { method: "DELETE" });
		expect(aborted.status).toBe(204);
		const again = await callSession(uploadUrl, session, "", { method: "DELETE" });
		expect(again.status).toBe(204);
		await expectProblem(
			await callSession(uploadUrl, session, "/parts/2", { method: "PUT", body: bytesOf(8 * MiB) }),
			410,
			"upload-aborted",
		);
		expect(await r2Keys(link.id)).toEqual([]);
		expect((await initRaw(uploadUrl, { name: "x.txt", size: 1 })).status).toBe(201);
	});

	it("the client resumes an interrupted upload from the server's ledger, sending only missing parts", async () => {
		const { apiKey } = await createOwner();
		const { uploadUrl } = await createLink(apiKey);
		const data = bytesOf(17 * MiB, 9);
		const client = uploaderFor(uploadUrl);
		const { session } = await client.init(data.byteLength, { name: "resume.bin" });
		const first = await callSession(uploadUrl, session, "/parts/2", {
			method: "PUT",
			body: data.slice(8 * MiB, 16 * MiB),
		});
		expect(first.status).toBe(200);
		const sent: string[] = [];
		const { exports } = await import("cloudflare:workers");
		const { UploaderClient } = await import("../../src/client");
		const counting = new UploaderClient(uploadUrl, {
			baseUrl: "https://receive.test",
			fetch: (input, init) => {
				if (init?.method === "PUT") sent.push(input.slice(input.lastIndexOf("/uploads/")));
				return exports.default.fetch(input, init);
			},
			sleep: () => new Promise((r) => setTimeout(r, 20)),
		});
		const result = await counting.resume(session, data);
		expect(sent.sort()).toEqual([
			`/uploads/${session.uploadId}/parts/1`,
			`/uploads/${session.uploadId}/parts/3`,
		]);
		expect(result.command.status).toBe("succeeded");
		const res = await download(apiKey, `/api/files/${result.upload.fileId}/content`);
		expect(await sha256HexOf(await res.arrayBuffer())).toBe(await sha256HexOf(data));
	});

	it("a repeated complete and a repeated finalize are idempotent", async () => {
		const { apiKey } = await createOwner();
		const { uploadUrl } = await createLink(apiKey);
		const client = uploaderFor(uploadUrl);
		const data = bytesOf(9 * MiB);
		const { session } = await client.init(data.byteLength, { name: "twice.bin" });
		const h = { "Upload-Token": session.uploadToken };
		for (const n of [1, 2]) {
			const start = (n - 1) * 8 * MiB;
			await callLink(uploadUrl, `/uploads/${session.uploadId}/parts/${n}`, {
				method: "PUT",
				headers: h,
				body: data.slice(start, start + 8 * MiB),
			});
		}
		const c1 = await callLink(uploadUrl, `/uploads/${session.uploadId}/complete`, {
			method: "POST",
			headers: h,
		});
		const c2 = await callLink(uploadUrl, `/uploads/${session.uploadId}/complete`, {
			method: "POST",
			headers: h,
		});
		expect([c1.status, c2.status]).toEqual([200, 200]);
		const f1 = await bodyOf<{ command: { id: string } }>(
			await callLink(uploadUrl, `/uploads/${session.uploadId}/finalize`, {
				method: "POST",
				headers: h,
			}),
		);
		const f2 = await bodyOf<{ command: { id: string } }>(
			await callLink(uploadUrl, `/uploads/${session.uploadId}/finalize`, {
				method: "POST",
				headers: h,
			}),
		);
		expect(f2.command.id).toBe(f1.command.id);
		await client.waitForCommand(
			f1.command.id,
			(
				await bodyOf<{ retryToken: string }>(
					await callLink(uploadUrl, `/uploads/${session.uploadId}/finalize`, {
						method: "POST",
						headers: h,
					}),
				)
			).retryToken,
		);
		const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM files WHERE upload_id = ?")
			.bind(session.uploadId)
			.first();
		expect(rows).toEqual({ n: 1 });
	});
});
