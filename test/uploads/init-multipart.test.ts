/**
 * Exactly one R2 multipart upload per session (issue 9, item 8): inits racing
 * with one Idempotency-Key can each create a multipart upload, but only the
 * first one recorded stays; any later one is aborted by `recordInit`.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import { R2Keys } from "../../src/storage/names";
import { bytesOf, callLink, initUpload, openLink, stubOf } from "../helpers";

const MiB = 1024 * 1024;

async function recordedR2UploadId(linkId: string, uploadId: string) {
	return runInDurableObject(stubOf(linkId), (_i: LinkDO, state) =>
		state.storage.sql
			.exec<{ r2_upload_id: string | null }>(
				"SELECT r2_upload_id FROM uploads WHERE id = ?",
				uploadId,
			)
			.one(),
	).then((r) => r.r2_upload_id);
}

async function isOpen(key: string, r2UploadId: string): Promise<boolean> {
	try {
		await env.FILES.resumeMultipartUpload(key, r2UploadId).uploadPart(1, bytesOf(5 * MiB));
		return true;
	} catch (error) {
		if (/NoSuchUpload|does not exist|not found/i.test(String(error))) return false;
		throw error;
	}
}

describe("recordInit keeps exactly one multipart upload per session", () => {
	it("a second recordInit for a session aborts its own multipart upload and keeps the first id", async () => {
		const { linkId, uploadUrl } = await openLink();
		const { upload, uploadToken } = await initUpload(uploadUrl, {
			name: "big.bin",
			size: 9 * MiB,
		});
		const key = R2Keys.upload(linkId, upload.id);
		const first = await recordedR2UploadId(linkId, upload.id);
		expect(first).not.toBeNull();
		// What a racing replay's edge does: create a second multipart upload and record it.
		const second = (await env.FILES.createMultipartUpload(key)).uploadId;
		const answer = await stubOf(linkId).recordInit(upload.id, second);
		expect(answer.ok).toBe(true);
		if (answer.ok) expect(answer.value.id).toBe(upload.id);
		expect(await recordedR2UploadId(linkId, upload.id)).toBe(first);
		expect(await isOpen(key, second)).toBe(false);
		expect(await isOpen(key, first ?? "")).toBe(true);
		// The session still works end to end on the first multipart upload.
		const part = await callLink(uploadUrl, `/uploads/${upload.id}/parts/2`, {
			method: "PUT",
			headers: { "Upload-Token": uploadToken },
			body: bytesOf(1 * MiB),
		});
		expect(part.status).toBe(200);
	});

	it("the same id recorded twice (a repeated record) is kept, not aborted", async () => {
		const { linkId, uploadUrl } = await openLink();
		const { upload } = await initUpload(uploadUrl, { name: "big.bin", size: 9 * MiB });
		const key = R2Keys.upload(linkId, upload.id);
		const first = (await recordedR2UploadId(linkId, upload.id)) ?? "";
		const again = await stubOf(linkId).recordInit(upload.id, first);
		expect(again.ok).toBe(true);
		expect(await recordedR2UploadId(linkId, upload.id)).toBe(first);
		expect(await isOpen(key, first)).toBe(true);
	});

	it("a late recordInit after the session completed aborts only its own multipart upload", async () => {
		const { linkId, uploadUrl } = await openLink();
		const { upload, uploadToken } = await initUpload(uploadUrl, { name: "big.bin", size: 9 * MiB });
		const key = R2Keys.upload(linkId, upload.id);
		for (const [n, size] of [
			[1, 8 * MiB],
			[2, 1 * MiB],
		] as const) {
			const res = await callLink(uploadUrl, `/uploads/${upload.id}/parts/${n}`, {
				method: "PUT",
				headers: { "Upload-Token": uploadToken },
				body: bytesOf(size, n),
			});
			expect(res.status).toBe(200);
		}
		const done = await callLink(uploadUrl, `/uploads/${upload.id}/complete`, {
			method: "POST",
			headers: { "Upload-Token": uploadToken },
		});
		expect(done.status).toBe(200);
		const late = (await env.FILES.createMultipartUpload(key)).uploadId;
		const answer = await stubOf(linkId).recordInit(upload.id, late);
		expect(answer.ok && answer.value.state).toBe("completed");
		expect(await isOpen(key, late)).toBe(false);
		expect((await env.FILES.head(key))?.size).toBe(9 * MiB);
	});
});
