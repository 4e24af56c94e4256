/**
 * `GET /api/links/:linkId/files.zip`: who may read it, its headers, the
 * archive's entries (names safe and unique, bytes exact), the terminal
 * states, and a file that vanished from R2. The archive is read with the
 * strict reader of test/zip-reader.ts (no `unzip` in workerd; the e2e test
 * uses the real one).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import * as FilesTable from "../../src/d1/files";
import { MAX_ZIP_ENTRIES } from "../../src/domain/zip";
import {
	ADMIN,
	bearer,
	bodyOf,
	bytesOf,
	call,
	createLink,
	createOwner,
	expectProblem,
	issue,
	sha256HexOf,
	uploaderFor,
	waitForCommand,
} from "../helpers";
import { ownerClient } from "../owner-client";
import { readZip } from "../zip-reader";

const zipUrl = (linkId: string) => `/api/links/${linkId}/files.zip`;

async function linkWithFiles(files: { name: string; data: Uint8Array }[], title = "Tax 2026") {
	const { ownerId, apiKey } = await createOwner();
	const { link, uploadUrl } = await createLink(apiKey, { title });
	const uploader = uploaderFor(uploadUrl);
	const fileIds: string[] = [];
	// One after the other, so the files' order (oldest first) is the upload order.
	for (const f of files) {
		const result = await uploader.upload(f.data, { name: f.name });
		expect(result.command.status).toBe("succeeded");
		fileIds.push(result.upload.fileId ?? "");
	}
	return { ownerId, apiKey, linkId: link.id, fileIds };
}

async function commandDone(res: Response) {
	const { command } = await bodyOf<{ command: { id: string } }>(res);
	await waitForCommand(command.id);
}

describe("download all as a ZIP", () => {
	it("streams the owner every finalized file, oldest first, with safe unique names", async () => {
		const files = [
			{ name: "report.pdf", data: bytesOf(1000, 1) },
			{ name: "Report.PDF", data: bytesOf(2000, 2) },
			{ name: "..\\..\\evil.txt", data: bytesOf(3, 3) },
			{ name: "CON.txt", data: bytesOf(0, 4) },
			{ name: "notes", data: bytesOf(70_000, 5) },
		];
		const { apiKey, linkId } = await linkWithFiles(files);
		const res = await call(zipUrl(linkId), { headers: bearer(apiKey) });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("application/zip");
		expect(res.headers.get("content-disposition")).toBe(
			`attachment; filename="Tax 2026.zip"; filename*=UTF-8''Tax%202026.zip`,
		);
		expect(res.headers.get("x-content-type-options")).toBe("nosniff");
		expect(res.headers.get("cache-control")).toBe("private, no-store, no-transform");
		expect(res.headers.get("content-encoding")).toBe("identity");
		const bytes = new Uint8Array(await res.arrayBuffer());
		expect(res.headers.get("content-length")).toBe(String(bytes.byteLength));

		const zip = readZip(bytes);
		expect(zip.zip64).toBe(false);
		expect(zip.entries.map((e) => e.name)).toEqual([
			"report.pdf",
			"Report (2).PDF",
			"evil.txt",
			"_CON.txt",
			"notes",
		]);
		for (const [i, entry] of zip.entries.entries()) {
			expect(await sha256HexOf(entry.data)).toBe(
				await sha256HexOf(files[i]?.data ?? new Uint8Array()),
			);
		}
	});

	it("an empty link is an empty (valid) archive", async () => {
		const { apiKey, linkId } = await linkWithFiles([]);
		const res = await call(zipUrl(linkId), { headers: bearer(apiKey) });
		expect(res.status).toBe(200);
		const bytes = new Uint8Array(await res.arrayBuffer());
		expect(res.headers.get("content-length")).toBe("22");
		expect(readZip(bytes).entries).toEqual([]);
	});

	it("an admin may download it; another owner gets 404; no key 401; a forged id 404", async () => {
		const { linkId } = await linkWithFiles([{ name: "a.txt", data: bytesOf(10) }]);
		const asAdmin = await call(zipUrl(linkId), { headers: ADMIN });
		expect(asAdmin.status).toBe(200);
		expect(readZip(new Uint8Array(await asAdmin.arrayBuffer())).entries.map((e) => e.name)).toEqual(
			["a.txt"],
		);
		const other = await createOwner("Other");
		await expectProblem(
			await call(zipUrl(linkId), { headers: bearer(other.apiKey) }),
			404,
			"link-not-found",
		);
		await expectProblem(await call(zipUrl(linkId)), 401, "unauthorized");
		await expectProblem(
			await call(zipUrl(`${linkId.slice(0, -2)}xx`), { headers: bearer(other.apiKey) }),
			404,
			"link-not-found",
		);
	});

	it("a revoked link's files stay downloadable; a deleted link's are gone (410)", async () => {
		const { apiKey, linkId } = await linkWithFiles([{ name: "kept.txt", data: bytesOf(50) }]);
		await commandDone(await issue("revoke", linkId, apiKey));
		const revoked = await call(zipUrl(linkId), { headers: bearer(apiKey) });
		expect(revoked.status).toBe(200);
		expect(readZip(new Uint8Array(await revoked.arrayBuffer())).entries).toHaveLength(1);

		await commandDone(await issue("delete", linkId, apiKey));
		await expectProblem(
			await call(zipUrl(linkId), { headers: bearer(apiKey) }),
			410,
			"link-deleted",
		);
		await expectProblem(await call(zipUrl(linkId), { headers: ADMIN }), 410, "link-deleted");
	});

	it("a file gone from R2 errors the stream: the body ends short, never a valid archive", async () => {
		const { apiKey, linkId, fileIds } = await linkWithFiles([
			{ name: "first.bin", data: bytesOf(5000, 1) },
			{ name: "second.bin", data: bytesOf(5000, 2) },
		]);
		const second = await FilesTable.get(env.DB, fileIds[1] ?? "");
		await env.FILES.delete(second?.r2Key ?? "");
		const res = await call(zipUrl(linkId), { headers: bearer(apiKey) });
		expect(res.status).toBe(200);
		const declared = Number(res.headers.get("content-length"));
		const reader = (res.body as ReadableStream<Uint8Array>).getReader();
		let received = 0;
		const outcome = await (async () => {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) return "ended";
				received += value.byteLength;
			}
		})().catch(() => "errored");
		expect(outcome).toBe("errored");
		expect(received).toBeLessThan(declared);
	});

	it("HEAD answers the GET's length and name with no body, even when a file is gone from R2", async () => {
		const { apiKey, linkId, fileIds } = await linkWithFiles([
			{ name: "first.bin", data: bytesOf(5000, 1) },
		]);
		const get = await call(zipUrl(linkId), { headers: bearer(apiKey) });
		const archive = new Uint8Array(await get.arrayBuffer());
		const first = await FilesTable.get(env.DB, fileIds[0] ?? "");
		await env.FILES.delete(first?.r2Key ?? "");
		// Nothing pulls the archive of a HEAD (the FixedLengthStream has no reader), so no
		// R2 object is opened: no "zip.ended-early", which the same GET now logs.
		const warn = vi.spyOn(console, "warn");
		try {
			const head = await call(zipUrl(linkId), { method: "HEAD", headers: bearer(apiKey) });
			expect(head.status).toBe(200);
			expect(head.headers.get("content-length")).toBe(String(archive.byteLength));
			expect(head.headers.get("content-disposition")).toBe(get.headers.get("content-disposition"));
			expect(head.headers.get("content-type")).toBe("application/zip");
			expect((await head.arrayBuffer()).byteLength).toBe(0);
			await new Promise((r) => setTimeout(r, 300));
			expect(warn.mock.calls.length, "warnings after HEAD").toBe(0);
			const broken = await call(zipUrl(linkId), { headers: bearer(apiKey) });
			await broken.arrayBuffer().catch(() => null);
			await vi.waitFor(() => expect(warn.mock.calls.length).toBeGreaterThan(0));
			const events = warn.mock.calls.map((args) => JSON.parse(String(args[0])).event);
			expect(events).toEqual(["zip.ended-early"]);
		} finally {
			warn.mockRestore();
		}
	});

	it("a link with more files than one ZIP holds is 409 zip-too-many-files", async () => {
		const { ownerId, apiKey, linkId } = await linkWithFiles([]);
		const at = new Date().toISOString();
		await FilesTable.insertMany(
			env.DB,
			Array.from({ length: MAX_ZIP_ENTRIES + 1 }, (_, i) => ({
				id: `f_zip_${i}`,
				linkId,
				ownerId,
				uploadId: `u_zip_${linkId}_${i}`,
				name: `f${i}.txt`,
				size: 1,
				type: "text/plain",
				sha256: null,
				uploaderName: null,
				uploaderEmail: null,
				r2Key: `links/${linkId}/none/${i}`,
				finalizedEpoch: 1,
				createdAt: at,
			})),
		);
		await expectProblem(
			await call(zipUrl(linkId), { headers: bearer(apiKey) }),
			409,
			"zip-too-many-files",
		);
	});

	it("the owner client's downloadZip answers the archive (named by the link id when the title makes no name), and throws the problem", async () => {
		const { apiKey, linkId } = await linkWithFiles([{ name: "c.txt", data: bytesOf(7) }], "...");
		const res = await ownerClient(apiKey).downloadZip(linkId);
		expect(res.headers.get("content-disposition")).toContain(`filename="${linkId}.zip"`);
		expect(readZip(new Uint8Array(await res.arrayBuffer())).entries.map((e) => e.name)).toEqual([
			"c.txt",
		]);
		const other = await createOwner("Other");
		await expect(ownerClient(other.apiKey).downloadZip(linkId)).rejects.toMatchObject({
			status: 404,
			code: "link-not-found",
		});
	});

	it("is described in /openapi.json", async () => {
		const spec = await bodyOf<{ paths: Record<string, { get?: { responses: object } }> }>(
			await call("/openapi.json"),
		);
		const route = spec.paths["/api/links/{linkId}/files.zip"]?.get;
		expect(Object.keys(route?.responses ?? {})).toEqual(
			expect.arrayContaining(["200", "401", "404", "409", "410"]),
		);
	});
});
