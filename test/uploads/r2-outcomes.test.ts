/**
 * What an uploader is told when R2 no longer knows a session's multipart
 * upload (docs/lifecycle.md, "the record check"): 410 `upload-aborted`, not
 * a 503 to retry forever. The R2 adapter recognises the runtime's text for
 * it (`... multipart upload does not exist. (10024)`).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import { R2Keys } from "../../src/storage/names";
import { bytesOf, callLink, expectProblem, initUpload, openLink, stubOf } from "../helpers";

const MiB = 1024 * 1024;

async function abortInR2(linkId: string, uploadId: string): Promise<void> {
	const { r2_upload_id } = await runInDurableObject(stubOf(linkId), (_i: LinkDO, state) =>
		state.storage.sql
			.exec<{ r2_upload_id: string }>("SELECT r2_upload_id FROM uploads WHERE id = ?", uploadId)
			.one(),
	);
	await env.FILES.resumeMultipartUpload(R2Keys.upload(linkId, uploadId), r2_upload_id).abort();
}

const putPart = (uploadUrl: string, uploadId: string, token: string, n: number, size: number) =>
	callLink(uploadUrl, `/uploads/${uploadId}/parts/${n}`, {
		method: "PUT",
		headers: { "Upload-Token": token },
		body: bytesOf(size, n),
	});

describe("a multipart upload R2 no longer knows", () => {
	it("a part for it is 410 upload-aborted", async () => {
		const { linkId, uploadUrl } = await openLink();
		const { upload, uploadToken } = await initUpload(uploadUrl, { name: "big.bin", size: 9 * MiB });
		await abortInR2(linkId, upload.id);
		await expectProblem(
			await putPart(uploadUrl, upload.id, uploadToken, 2, 1 * MiB),
			410,
			"upload-aborted",
		);
	});

	it("completing it is 410 upload-aborted", async () => {
		const { linkId, uploadUrl } = await openLink();
		const { upload, uploadToken } = await initUpload(uploadUrl, { name: "big.bin", size: 9 * MiB });
		expect((await putPart(uploadUrl, upload.id, uploadToken, 1, 8 * MiB)).status).toBe(200);
		expect((await putPart(uploadUrl, upload.id, uploadToken, 2, 1 * MiB)).status).toBe(200);
		await abortInR2(linkId, upload.id);
		const res = await callLink(uploadUrl, `/uploads/${upload.id}/complete`, {
			method: "POST",
			headers: { "Upload-Token": uploadToken },
		});
		await expectProblem(res, 410, "upload-aborted");
	});
});
