/**
 * Issue 9, item 12: an uploader's abort landing while a finalize awaits its R2
 * object check or its D1 index write. The `pauseAt` seam runs the abort at
 * exactly that point. Before the fix the abort won the session back from under
 * the finalize: the bytes were deleted, the D1 row written, and the command
 * reported `succeeded` for a file whose download was 404.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import type { Result } from "../../src/domain/problems";
import {
	bearer,
	bytesOf,
	call,
	callLink,
	expectClean,
	initUpload,
	openLink,
	stubOf,
	waitForCommand,
} from "../helpers";
import { installFaults } from "../hooks";

describe("an abort landing inside finalize", () => {
	for (const at of ["finalize-check", "finalize-index"] as const) {
		it(`at ${at}: the abort is 409 upload-state-conflict and the finalized file is downloadable`, async () => {
			const { apiKey, linkId, uploadUrl } = await openLink();
			const data = bytesOf(1000, 7);
			const { upload, uploadToken } = await initUpload(uploadUrl, { name: "a.bin", size: 1000 });
			const put = await callLink(uploadUrl, `/uploads/${upload.id}`, {
				method: "PUT",
				headers: { "Upload-Token": uploadToken },
				body: data,
			});
			expect(put.status).toBe(200);

			let abort: Result<null> | undefined;
			await runInDurableObject(stubOf(linkId), (instance: LinkDO, state) => {
				const hash = (sql: string, ...p: string[]) =>
					state.storage.sql.exec<{ h: string }>(sql, ...p).one().h;
				const auth = {
					linkSecretHash: hash("SELECT token_hash AS h FROM link"),
					uploadId: upload.id,
					tokenHash: hash("SELECT token_hash AS h FROM uploads WHERE id = ?", upload.id),
				};
				installFaults(instance, {
					pauseAt: {
						at,
						run: async () => {
							abort = await instance.abortUpload(auth);
						},
					},
				});
			});

			const fin = await callLink(uploadUrl, `/uploads/${upload.id}/finalize`, {
				method: "POST",
				headers: { "Upload-Token": uploadToken },
			});
			expect(fin.status).toBe(202);
			const { command } = (await fin.json()) as { command: { id: string } };
			const done = await waitForCommand(command.id, ["succeeded", "rejected"]);

			expect(abort).toBeDefined();
			expect(abort?.ok).toBe(false);
			if (abort && !abort.ok) {
				expect(abort.problem.code).toBe("upload-state-conflict");
				expect(abort.problem.status).toBe(409);
			}
			expect(done.status).toBe("succeeded");
			const fileId = `fil_${upload.id.slice(4)}`;
			const download = await call(`/api/files/${fileId}/content`, { headers: bearer(apiKey) });
			expect(download.status).toBe(200);
			expect(new Uint8Array(await download.arrayBuffer())).toEqual(data);
			const row = await env.DB.prepare("SELECT id FROM files WHERE id = ?").bind(fileId).first();
			expect(row).not.toBeNull();
			// Once the finalize is over, an abort is the ordinary one: the file is the owner's.
			const late = await callLink(uploadUrl, `/uploads/${upload.id}`, {
				method: "DELETE",
				headers: { "Upload-Token": uploadToken },
			});
			expect(late.status).toBe(409);
			await expectClean(linkId);
		});
	}
});
