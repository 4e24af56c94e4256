/**
 * One-request small uploads (POST /r/:linkId/files, docs/uploads.md#one-request-small-files):
 * 202 with the finalize command after two DO calls, the init's and the single
 * PUT's refusals, quotas, and Idempotency-Key replays.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import type { LinkDO } from "../../src/do/link-do";
import type { UploadView } from "../../src/do/rpc";
import {
	bearer,
	bodyOf,
	bytesOf,
	type CommandBody,
	call,
	doCalls,
	expectClean,
	expectProblem,
	openLink,
	r2Keys,
	sendSmall,
	sha256HexOf,
	stubOf,
	waitForCommand,
} from "../helpers";
import { streamOf } from "./hostile-shared";

const MiB = 1024 * 1024;

interface Accepted {
	command: CommandBody;
	statusUrl: string;
	retryToken: string | null;
	upload: UploadView;
	uploadToken: string | null;
}

async function acceptedOf(res: Response): Promise<Accepted> {
	if (res.status !== 202) throw new Error(`expected 202, got ${res.status}: ${await res.text()}`);
	return bodyOf<Accepted>(res);
}

async function reserved(linkId: string) {
	return runInDurableObject(stubOf(linkId), (_i: LinkDO, state) =>
		state.storage.sql
			.exec<{ f: number; b: number }>("SELECT reserved_files AS f, reserved_bytes AS b FROM link")
			.one(),
	);
}

async function filesOf(apiKey: string, linkId: string) {
	const res = await call(`/api/links/${linkId}/files`, { headers: bearer(apiKey) });
	return (await bodyOf<{ items: { size: number; sha256: string | null; name: string }[] }>(res))
		.items;
}

describe("one-request small uploads", () => {
	it("answers 202 with the finalize command after 2 DO calls; the file is listed with its size and sha256", async () => {
		const { apiKey, linkId, uploadUrl } = await openLink();
		const data = bytesOf(16 * 1024, 3);
		const sha256 = await sha256HexOf(data);
		const res = await sendSmall(uploadUrl, data, {
			filename: "notes.txt",
			filetype: "text/plain",
			name: "Bea",
			sha256,
		});
		expect(doCalls(res)).toBe(2);
		const body = await acceptedOf(res);
		expect(res.headers.get("location")).toBe(`/api/commands/${body.command.id}`);
		expect(res.headers.get("retry-token")).toBe(body.retryToken);
		expect(body.statusUrl).toBe(`/api/commands/${body.command.id}`);
		expect(body.command.kind).toBe("finalize");
		expect(body.upload).toMatchObject({ state: "completed", size: data.length, mode: "single" });
		expect(body.uploadToken).toMatch(/./);
		const done = await waitForCommand(body.command.id);
		expect(done.result).toBe("finalized");
		const files = await filesOf(apiKey, linkId);
		expect(files).toEqual([
			expect.objectContaining({ name: "notes.txt", size: data.length, sha256 }),
		]);
		// The Upload-Token it answered reads the upload (finalized now).
		const status = await call(`/r/${linkId}/uploads/${body.upload.id}`, {
			headers: {
				"Link-Secret": new URL(uploadUrl).hash.slice(1),
				"Upload-Token": body.uploadToken ?? "",
			},
		});
		expect((await bodyOf<{ upload: UploadView }>(status)).upload.state).toBe("finalized");
		await expectClean(linkId);
	});

	it("takes an empty file, and a chunked body that declares Upload-Length", async () => {
		const { linkId, uploadUrl } = await openLink();
		const empty = await acceptedOf(await sendSmall(uploadUrl, new Uint8Array(0)));
		expect(empty.upload.size).toBe(0);
		const streamed = await acceptedOf(
			await sendSmall(
				uploadUrl,
				streamOf(bytesOf(5), bytesOf(5)),
				{ filename: "s.bin" },
				{
					"Upload-Length": "10",
				},
			),
		);
		expect(streamed.upload.size).toBe(10);
		await waitForCommand(empty.command.id);
		await waitForCommand(streamed.command.id);
		await expectClean(linkId);
	});

	it("refuses a body over one part size with 413 payload-too-large naming the limit, before any DO call", async () => {
		const { linkId, uploadUrl } = await openLink();
		const res = await sendSmall(uploadUrl, bytesOf(8 * MiB + 1));
		expect(doCalls(res)).toBe(0);
		const p = await expectProblem(res, 413, "payload-too-large");
		expect(p.maxBytes).toBe(8 * MiB);
		expect(p.detail).toContain(String(8 * MiB));
		expect(await r2Keys(linkId)).toEqual([]);
	});

	it("refuses a chunked body without Upload-Length (411) and disagreeing lengths (400)", async () => {
		const { uploadUrl } = await openLink();
		await expectProblem(await sendSmall(uploadUrl, streamOf(bytesOf(5))), 411, "length-required");
		await expectProblem(
			await sendSmall(uploadUrl, bytesOf(10), undefined, { "Upload-Length": "11" }),
			400,
			"length-mismatch",
		);
	});

	it("a streamed body shorter or longer than Upload-Length is 400 length-mismatch; nothing stays, the quota is released", async () => {
		const { linkId, uploadUrl } = await openLink({ maxFiles: 1 });
		for (const chunks of [
			[bytesOf(5), bytesOf(4)],
			[bytesOf(5), bytesOf(6)],
		]) {
			const res = await sendSmall(uploadUrl, streamOf(...chunks), undefined, {
				"Upload-Length": "10",
			});
			await expectProblem(res, 400, "length-mismatch");
		}
		expect(await r2Keys(linkId)).toEqual([]);
		expect(await reserved(linkId)).toEqual({ f: 0, b: 0 });
		// The one file the link takes is still free.
		const ok = await acceptedOf(await sendSmall(uploadUrl, bytesOf(10)));
		await waitForCommand(ok.command.id);
		await expectClean(linkId);
	});

	it("bytes that do not match the declared sha256 are 400 checksum-mismatch; nothing stays", async () => {
		const { linkId, uploadUrl } = await openLink();
		const res = await sendSmall(uploadUrl, bytesOf(100, 1), {
			filename: "x.bin",
			sha256: await sha256HexOf(bytesOf(100, 2)),
		});
		await expectProblem(res, 400, "checksum-mismatch");
		expect(await r2Keys(linkId)).toEqual([]);
		expect(await reserved(linkId)).toEqual({ f: 0, b: 0 });
		await expectClean(linkId);
	});

	it("applies the init's file rules: per-file limit, types, uploader details, metadata", async () => {
		const { uploadUrl } = await openLink({
			maxFileBytes: 50,
			allowedExtensions: ["pdf"],
			requireUploaderName: true,
		});
		const named = { name: "Bea" };
		await expectProblem(
			await sendSmall(uploadUrl, bytesOf(60), { filename: "a.pdf", ...named }),
			413,
			"file-too-large",
		);
		await expectProblem(
			await sendSmall(uploadUrl, bytesOf(10), { filename: "a.txt", ...named }),
			415,
			"file-type-not-allowed",
		);
		await expectProblem(
			await sendSmall(uploadUrl, bytesOf(10), { filename: "a.pdf" }),
			400,
			"uploader-details-required",
		);
		await expectProblem(
			await sendSmall(uploadUrl, bytesOf(10), undefined, { "Upload-Metadata": "filename %%%" }),
			400,
			"validation-failed",
		);
		await expectProblem(
			await sendSmall(uploadUrl, bytesOf(10), { filename: "a.pdf", ...named, sha256: "nope" }),
			400,
			"validation-failed",
		);
		await acceptedOf(await sendSmall(uploadUrl, bytesOf(10), { filename: "a.pdf", ...named }));
	});

	it("a password-protected link: 401 without, 403 wrong, 202 right (3 DO calls: the challenge)", async () => {
		const { uploadUrl } = await openLink({ password: "open sesame" });
		await expectProblem(await sendSmall(uploadUrl, bytesOf(10)), 401, "password-required");
		await expectProblem(
			await sendSmall(uploadUrl, bytesOf(10), { filename: "a.txt", password: "wrong" }),
			403,
			"password-incorrect",
		);
		const res = await sendSmall(uploadUrl, bytesOf(10), {
			filename: "a.txt",
			password: "open sesame",
		});
		expect(doCalls(res)).toBe(3);
		await acceptedOf(res);
	});

	it("counts against max files and max total bytes, reserved at the admit", async () => {
		const files = await openLink({ maxFiles: 2 });
		const parallel = await Promise.all(
			[1, 2, 3].map((i) => sendSmall(files.uploadUrl, bytesOf(10, i), { filename: `${i}.txt` })),
		);
		expect(parallel.map((r) => r.status).sort()).toEqual([202, 202, 409]);
		await expectProblem(parallel.find((r) => r.status === 409) as Response, 409, "quota-exceeded");
		await expectProblem(await sendSmall(files.uploadUrl, bytesOf(1)), 409, "quota-exceeded");
		for (const res of parallel.filter((r) => r.status === 202))
			await waitForCommand((await acceptedOf(res)).command.id);
		const bytes = await openLink({ maxTotalBytes: 100, maxFileBytes: 100 });
		const first = await acceptedOf(await sendSmall(bytes.uploadUrl, bytesOf(60)));
		await expectProblem(await sendSmall(bytes.uploadUrl, bytesOf(60)), 409, "quota-exceeded");
		await waitForCommand(first.command.id);
		await expectClean(files.linkId);
		await expectClean(bytes.linkId);
	});
});

describe("one-request uploads in the API description", () => {
	it("/openapi.json describes POST /r/{linkId}/files with its 202 and its problems", async () => {
		const spec = await bodyOf<{
			paths: Record<string, Record<string, { description?: string; responses: object }>>;
		}>(await call("/openapi.json"));
		const route = spec.paths["/r/{linkId}/files"]?.post;
		expect(route?.description).toContain("Upload-Metadata");
		expect(Object.keys(route?.responses ?? {})).toEqual(
			expect.arrayContaining(["202", "411", "413", "415", "423", "410"]),
		);
	});
});

describe("one-request uploads with an Idempotency-Key", () => {
	it("a repeat answers the same command, stores nothing again and hands out no token", async () => {
		const { apiKey, linkId, uploadUrl } = await openLink();
		const key = { "Idempotency-Key": "small-key-1" };
		const meta = { filename: "once.txt" };
		const first = await acceptedOf(await sendSmall(uploadUrl, bytesOf(10), meta, key));
		const again = await acceptedOf(await sendSmall(uploadUrl, bytesOf(10), meta, key));
		expect(again.command.id).toBe(first.command.id);
		expect(again.upload.id).toBe(first.upload.id);
		expect(again.uploadToken).toBeNull();
		await waitForCommand(first.command.id);
		expect(await filesOf(apiKey, linkId)).toHaveLength(1);
		// Other metadata under the same key is refused.
		await expectProblem(
			await sendSmall(uploadUrl, bytesOf(10), { filename: "other.txt" }, key),
			422,
			"idempotency-key-reused",
		);
		await expectClean(linkId);
	});

	it("a repeat waits (409) while the first request writes; once its lease runs out it is a new upload, and the first is refused", async () => {
		const { apiKey, linkId, uploadUrl } = await openLink({ maxFiles: 1 });
		const key = { "Idempotency-Key": "small-key-3", "Upload-Length": "10" };
		const meta = { filename: "stuck.bin" };
		// The first request's body stalls after its admit: it holds the session and the
		// link's only file, as a request whose Worker died there would.
		let fail: (reason: Error) => void = () => {};
		const stalled = new ReadableStream<Uint8Array>({
			start(controller) {
				controller.enqueue(bytesOf(5));
				fail = (reason) => controller.error(reason);
			},
		});
		const first = sendSmall(uploadUrl, stalled, meta, key);
		const openUpload = () =>
			runInDurableObject(stubOf(linkId), (_i: LinkDO, state) =>
				state.storage.sql
					.exec<{ id: string }>("SELECT id FROM uploads WHERE state = 'open'")
					.toArray(),
			);
		await vi.waitFor(async () => expect(await openUpload()).toHaveLength(1));
		await expectProblem(
			await sendSmall(uploadUrl, bytesOf(10), meta, key),
			409,
			"upload-state-conflict",
		);
		// The write's lease (10 minutes) runs out with nothing recorded.
		await runInDurableObject(stubOf(linkId), (_i: LinkDO, state) => {
			state.storage.sql.exec(
				"UPDATE uploads SET lease_until = ? WHERE state = 'open'",
				Date.now() - 1,
			);
		});
		const again = await acceptedOf(await sendSmall(uploadUrl, bytesOf(10), meta, key));
		expect(again.uploadToken).toMatch(/./);
		await waitForCommand(again.command.id);
		// The first request's body ends short now: refused, and nothing of it stays.
		fail(new Error("the first client went away"));
		const late = await first.catch(() => null);
		if (late) expect(late.status).toBeGreaterThanOrEqual(400);
		expect((await filesOf(apiKey, linkId)).map((f) => f.name)).toEqual(["stuck.bin"]);
		expect(await reserved(linkId)).toEqual({ f: 0, b: 0 });
		await expectClean(linkId);
	});

	it("a key whose first request failed is free again", async () => {
		const { apiKey, linkId, uploadUrl } = await openLink();
		const key = { "Idempotency-Key": "small-key-2" };
		const data = bytesOf(10, 7);
		const meta = { filename: "retry.bin", sha256: await sha256HexOf(data) };
		await expectProblem(
			await sendSmall(uploadUrl, bytesOf(10, 8), meta, key),
			400,
			"checksum-mismatch",
		);
		const ok = await acceptedOf(await sendSmall(uploadUrl, data, meta, key));
		expect(ok.uploadToken).toMatch(/./);
		await waitForCommand(ok.command.id);
		expect(await filesOf(apiKey, linkId)).toHaveLength(1);
		await expectClean(linkId);
	});
});
