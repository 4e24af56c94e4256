/**
 * Issue 11, item 6: the real, unmodified tus-js-client (its Node build and
 * its own NodeHttpStack) against the real Worker under `wrangler dev`
 * (started by global-setup.ts), at `/r/<linkId>/tus/` with `Link-Secret` in
 * its `headers` option (docs/uploads.md, "tus"). Every upload that
 * succeeds is followed to its end: the finalize command named by the
 * completing answer (`Receive-Link-Command`, `-Command-Status`,
 * `Receive-Link-Retry-Token`) polled with its Retry-Token until `succeeded`,
 * then the owner's download compared by sha256 with the source bytes.
 */
import { createHash } from "node:crypto";
import { defaultOptions } from "tus-js-client";
import { describe, expect, onTestFinished, test } from "vitest";
import {
	bytes,
	cuttingProxy,
	describeLog,
	drain,
	type E2ELink,
	expectCleanAudit,
	expectFinalized,
	MiB,
	mib,
	newLink,
	owner,
	PART_SIZE,
	service,
	startTus,
	statusOf,
	type TusRun,
	tusCreate,
	tusFetch,
	tusHead,
} from "./helpers.ts";

/** The upload's success answer, or a failure that shows what the client saw. */
async function finished(run: TusRun) {
	try {
		return await run.done;
	} catch (error) {
		throw new Error(
			`tus-js-client failed: ${error instanceof Error ? error.message : error}\nrequests: ${describeLog(run.log)}`,
		);
	}
}

/** The client's error (the upload must fail). */
async function failed(run: TusRun): Promise<unknown> {
	try {
		await run.done;
	} catch (error) {
		return error;
	}
	throw new Error(`the upload succeeded; requests: ${describeLog(run.log)}`);
}

/** Every answer the client got was a success (no retried 5xx, no lock, no conflict). */
function expectAllOk(run: TusRun): void {
	const bad = run.log.filter((r) => r.status >= 300);
	expect(bad, `requests: ${describeLog(run.log)}`).toEqual([]);
}

/**
 * Waits for `event` (a callback of the client fired), failing at once if the
 * upload ends first (so a missing endpoint fails fast instead of timing out).
 */
async function until(run: TusRun, event: Promise<void>, what: string): Promise<void> {
	const ended = run.done.then(
		() => {
			throw new Error(`the upload finished before ${what}; requests: ${describeLog(run.log)}`);
		},
		(error) => {
			throw new Error(
				`the upload failed before ${what}: ${error instanceof Error ? error.message : error}\nrequests: ${describeLog(run.log)}`,
			);
		},
	);
	await Promise.race([event, ended]);
}

function expectUploadUrl(link: E2ELink, url: string | null): string {
	expect(url, "upload.url").toMatch(new RegExp(`/r/${link.id}/tus/[^/?#]+$`));
	return url ?? "";
}

test("the client is the unmodified Node build with its own HTTP stack", () => {
	expect(defaultOptions.httpStack.getName()).toBe("NodeHttpStack");
});

describe("sizes x chunk sizes", () => {
	const sizes = [0, 1, PART_SIZE - 1, PART_SIZE, PART_SIZE + 1, 23 * MiB];
	const chunkSizes = [undefined, 1 * MiB, 3 * MiB, 7 * MiB];
	for (const size of sizes) {
		for (const chunkSize of chunkSizes) {
			test(`${mib(size)}, chunkSize ${mib(chunkSize)}`, async () => {
				const link = await newLink();
				const data = bytes(size);
				const name = `sizes-${size}-${chunkSize ?? "unset"}.bin`;
				const run = startTus(link, data, {
					metadata: { filename: name },
					...(chunkSize ? { chunkSize } : {}),
				});
				const last = await finished(run);
				expectUploadUrl(link, run.upload.url);
				expectAllOk(run);
				const patches = run.log.filter((r) => r.method === "PATCH");
				// tus-js-client creates an empty upload and sends no PATCH: the POST
				// answer is then the completing one and names the finalize command.
				const expected = size === 0 ? 0 : chunkSize ? Math.ceil(size / chunkSize) : 1;
				expect(patches.length, describeLog(run.log)).toBe(expected);
				expect(patches.at(-1)?.offset ?? "0").toBe(String(size));
				expect(last.getStatus()).toBe(size === 0 ? 201 : 204);
				await expectFinalized(link, (h) => last.getHeader(h), data, name);
			});
		}
	}
});

describe("creation-with-upload", () => {
	for (const [size, chunkSize] of [
		[1, undefined],
		[PART_SIZE + 1, 3 * MiB],
	] as const) {
		test(`${mib(size)}, chunkSize ${mib(chunkSize)}: the first bytes ride on the POST`, async () => {
			const link = await newLink();
			const data = bytes(size);
			const name = `cwu-${size}.bin`;
			const run = startTus(link, data, {
				metadata: { filename: name },
				uploadDataDuringCreation: true,
				...(chunkSize ? { chunkSize } : {}),
			});
			const last = await finished(run);
			expectAllOk(run);
			const post = run.log.find((r) => r.method === "POST");
			expect(post?.status).toBe(201);
			expect(post?.offset).toBe(String(Math.min(size, chunkSize ?? size)));
			await expectFinalized(link, (h) => last.getHeader(h), data, name);
		});
	}
});

test("the link's required fields and password travel in Upload-Metadata", async () => {
	const password = "e2e correct horse";
	const link = await newLink({
		requireUploaderName: true,
		requireUploaderEmail: true,
		password,
	});
	const data = bytes(PART_SIZE + 1);

	// Without the password the creation is refused and the client does not retry it.
	const refused = startTus(link, data, {
		metadata: { filename: "refused.bin", name: "Ada Uploader", email: "ada@example.test" },
	});
	const error = await failed(refused);
	expect([401, 403]).toContain(statusOf(error));
	expect(refused.log.map((r) => r.method)).toEqual(["POST"]);

	const run = startTus(link, data, {
		metadata: { filename: "fields.bin", name: "Ada Uploader", email: "ada@example.test", password },
		chunkSize: 3 * MiB,
	});
	const last = await finished(run);
	const file = await expectFinalized(link, (h) => last.getHeader(h), data, "fields.bin");
	expect(file.uploaderName).toBe("Ada Uploader");
	expect(file.uploaderEmail).toBe("ada@example.test");
});

describe("resume", () => {
	test("abort after the first 3 MiB chunk, a new Upload from the stored URL finishes", async () => {
		const link = await newLink();
		const data = bytes(2 * PART_SIZE + 5);
		const chunkSize = 3 * MiB;
		let accepted = -1;
		let aborted!: () => void;
		const abortedNow = new Promise<void>((r) => {
			aborted = r;
		});
		const first: TusRun = startTus(link, data, {
			metadata: { filename: "resume.bin" },
			chunkSize,
			onChunkComplete: (_chunk, bytesAccepted) => {
				if (accepted >= 0) return;
				accepted = bytesAccepted;
				void first.upload.abort().then(aborted);
			},
		});
		await until(first, abortedNow, "the abort after the first chunk");
		expect(accepted).toBe(chunkSize);
		const url = expectUploadUrl(link, first.upload.url);

		// The server holds exactly the accepted bytes (below a part boundary: kept durably).
		const head = await tusHead(link, url);
		expect(head.status).toBe(200);
		expect(head.offset).toBe(chunkSize);
		expect(head.length).toBe(data.length);
		expect(head.res.headers.get("Cache-Control")).toContain("no-store");

		// A new client with the stored URL only (no endpoint: it cannot silently start over).
		const second = startTus(link, data, {
			endpoint: null,
			uploadUrl: url,
			chunkSize,
			metadata: { filename: "resume.bin" },
		});
		const last = await finished(second);
		expect(second.upload.url).toBe(url);
		expect(second.log.map((r) => r.method)).not.toContain("POST");
		expect(second.log[0]).toMatchObject({ method: "HEAD", status: 200, offset: String(chunkSize) });
		expect(second.log.find((r) => r.method === "PATCH")?.sentOffset).toBe(String(chunkSize));
		expectAllOk(second);
		await expectFinalized(link, (h) => last.getHeader(h), data, "resume.bin");
	});

	// The connection is cut by a TCP proxy after an exact number of PATCH bytes
	// (tus-js-client's onProgress is throttled and runs ahead of the server).
	for (const [chunkSize, cutAt] of [
		[undefined, 12 * MiB],
		[7 * MiB, 10 * MiB],
	] as const) {
		test(`the connection cut mid-PATCH (chunkSize ${mib(chunkSize)}, at ${mib(cutAt)}): resumes from HEAD, nothing lost`, async () => {
			const proxy = await cuttingProxy(service().base);
			onTestFinished(() => proxy.close());
			const link = await newLink();
			const viaProxy = { ...link, tus: `${proxy.base}/r/${link.id}/tus/` };
			const data = bytes(23 * MiB);
			let cutNow: Promise<void> | null = null;
			const first: TusRun = startTus(viaProxy, data, {
				metadata: { filename: "cut.bin" },
				...(chunkSize ? { chunkSize } : {}),
				retryDelays: null, // fail on the cut: the stored URL resumes it below
				onBeforeRequest: (req) => {
					const offset = Number(req.getHeader("Upload-Offset"));
					if (cutNow || req.getMethod() !== "PATCH" || offset + (chunkSize ?? data.length) <= cutAt)
						return;
					cutNow = proxy.cutAfter(cutAt - offset);
				},
			});
			const error = await failed(first);
			expect(cutNow, `cut before any PATCH: ${error}`).not.toBeNull();
			expect(statusOf(error), `${error}`).toBe(0);
			const url = expectUploadUrl(link, first.upload.url);
			expect(url.startsWith(proxy.base), `the Location ${url} leaves the proxy`).toBe(true);

			const second = startTus(link, data, {
				endpoint: null,
				uploadUrl: url,
				metadata: { filename: "cut.bin" },
				...(chunkSize ? { chunkSize } : {}),
			});
			const last = await finished(second);
			expect(second.log.map((r) => r.method)).not.toContain("POST");
			// The offset the server answered counts durable bytes only, never more than were sent.
			const resumedPatch = second.log.find((r) => r.method === "PATCH");
			expect(
				resumedPatch,
				`no PATCH after the cut (the server had every byte already?): ${describeLog(second.log)}`,
			).toBeDefined();
			const resumedAt = Number(resumedPatch?.sentOffset);
			expect(resumedAt).toBeGreaterThanOrEqual(0);
			expect(resumedAt).toBeLessThanOrEqual(cutAt);
			await expectFinalized(link, (h) => last.getHeader(h), data, "cut.bin");
		});
	}
});

test("pause mid-upload: the client keeps retrying (423 + Retry-After) and completes after resume", async () => {
	const link = await newLink();
	const o = await owner();
	const data = bytes(2 * PART_SIZE + 5);
	let paused = false;
	let resumed: Promise<unknown> = Promise.resolve();
	const run = startTus(link, data, {
		metadata: { filename: "paused.bin" },
		chunkSize: 3 * MiB,
		onBeforeRequest: async (req) => {
			// Before the second PATCH: the owner pauses, and resumes about a second later.
			const patched = run.log.some((r) => r.method === "PATCH" && r.status === 204);
			if (paused || req.getMethod() !== "PATCH" || !patched) return;
			paused = true;
			await o.pause(link.id);
			resumed = new Promise((r) => setTimeout(r, 1000)).then(() => o.resume(link.id));
		},
	});
	const last = await finished(run);
	await resumed;
	const locked = run.log.filter((r) => r.status === 423);
	expect(locked.length, describeLog(run.log)).toBeGreaterThan(0);
	for (const r of locked) expect(r.retryAfter, `${r.method} 423 without Retry-After`).toBeTruthy();
	expect(run.log.filter((r) => r.status !== 423 && r.status >= 300)).toEqual([]);
	await expectFinalized(link, (h) => last.getHeader(h), data, "paused.bin");
});

test("revoke mid-upload: the client stops on 410, nothing of the upload remains, the audit is clean", async () => {
	const link = await newLink();
	const o = await owner();
	const data = bytes(23 * MiB);
	let revokeId: string | null = null;
	let revokedAt = Number.POSITIVE_INFINITY;
	// The client forgets its upload URL once the upload is gone (a HEAD answered 410): keep it.
	let uploadUrl: string | null = null;
	const run = startTus(link, data, {
		metadata: { filename: "revoked.bin" },
		chunkSize: 3 * MiB,
		// Room for the closing phase (423) until the revoke applies (then 410).
		retryDelays: [100, 200, 400, 800, 1600, 3200],
		onBeforeRequest: async (req) => {
			if (req.getMethod() === "PATCH") uploadUrl ??= req.getURL();
			const patched = run.log.some((r) => r.method === "PATCH" && r.status === 204);
			if (revokeId || req.getMethod() !== "PATCH" || !patched) return;
			revokeId = (await o.revoke(link.id)).command.id;
			revokedAt = Date.now();
		},
	});
	const error = await failed(run);
	expect(statusOf(error), `${error}; requests: ${describeLog(run.log)}`).toBe(410);
	expect(revokeId).not.toBeNull();
	// Nothing written after the revoke was accepted.
	const after = run.log.filter((r) => r.at > revokedAt);
	expect(
		after.filter((r) => r.status < 300 && r.method === "PATCH"),
		describeLog(run.log),
	).toEqual([]);

	const command = await o.waitForCommand(revokeId ?? "", { timeoutMs: 60_000 });
	expect(command.status).toBe("succeeded");
	await expectCleanAudit(link);
	expect((await o.listFiles(link.id)).items).toEqual([]);
	const uploads = (await o.listUploads(link.id)).items;
	expect(uploads.map((u) => u.state).filter((s) => s !== "aborted" && s !== "rejected")).toEqual(
		[],
	);
	const head = await tusHead(link, expectUploadUrl(link, uploadUrl));
	expect(head.status).toBe(410);
});

test("termination: abort(true) is answered 204 and the upload is gone", async () => {
	const link = await newLink();
	const data = bytes(PART_SIZE + 1);
	let terminated: Promise<void> | null = null;
	let chunked!: () => void;
	const firstChunk = new Promise<void>((r) => {
		chunked = r;
	});
	const run: TusRun = startTus(link, data, {
		metadata: { filename: "terminated.bin" },
		chunkSize: 3 * MiB,
		onChunkComplete: () => {
			if (terminated) return;
			terminated = run.upload.abort(true);
			chunked();
		},
	});
	await until(run, firstChunk, "the first chunk");
	await terminated;
	const url = expectUploadUrl(link, run.upload.url);
	expect(run.log.filter((r) => r.method === "DELETE").map((r) => r.status)).toEqual([204]);
	const head = await tusHead(link, url);
	expect([404, 410]).toContain(head.status);
	expect((await (await owner()).listFiles(link.id)).items).toEqual([]);
	await expectCleanAudit(link);
});

describe("raw protocol", () => {
	test("OPTIONS with the secret advertises the version, extensions, checksums and max size", async () => {
		const link = await newLink();
		const res = await tusFetch(link, "OPTIONS", link.tus);
		await drain(res);
		expect(res.status).toBe(204);
		expect(res.headers.get("Tus-Resumable")).toBe("1.0.0");
		expect(res.headers.get("Tus-Version")?.split(/\s*,\s*/)).toContain("1.0.0");
		expect(res.headers.get("Tus-Extension")?.split(/\s*,\s*/)).toEqual(
			expect.arrayContaining([
				"creation",
				"creation-with-upload",
				"termination",
				"expiration",
				"checksum",
			]),
		);
		expect(res.headers.get("Tus-Checksum-Algorithm")?.split(/\s*,\s*/)).toEqual(
			expect.arrayContaining(["sha1", "sha256"]),
		);
		expect(Number(res.headers.get("Tus-Max-Size"))).toBeGreaterThan(0);
	});

	test("checksum mismatch is 460 and records nothing; the right checksum is accepted", async () => {
		const link = await newLink();
		const data = bytes(MiB + 3);
		const url = await tusCreate(link, data.length, {
			filename: "checksum.bin",
			filetype: "application/octet-stream",
		});
		expect(url.startsWith(`${link.origin}/r/${link.id}/tus/`), url).toBe(true);
		const sha1 = (b: Uint8Array) => createHash("sha1").update(b).digest("base64");
		const patch = (checksum: string) =>
			tusFetch(
				link,
				"PATCH",
				url,
				{
					"Content-Type": "application/offset+octet-stream",
					"Upload-Offset": "0",
					"Upload-Checksum": `sha1 ${checksum}`,
				},
				data,
			);

		const wrong = await patch(sha1(Buffer.from("not these bytes")));
		const problem = await wrong.text();
		expect(wrong.status, problem).toBe(460);
		expect(wrong.headers.get("Content-Type") ?? "").toMatch(/json/);
		const head = await tusHead(link, url);
		expect({ status: head.status, offset: head.offset }).toEqual({ status: 200, offset: 0 });

		const right = await patch(sha1(data));
		await drain(right);
		expect(right.status).toBe(204);
		expect(right.headers.get("Upload-Offset")).toBe(String(data.length));
		await expectFinalized(link, (h) => right.headers.get(h), data, "checksum.bin");
	});

	test("offset mismatch 409, unknown upload 404, no Link-Secret 404", async () => {
		const link = await newLink();
		const url = await tusCreate(link, 10);
		const body = new Uint8Array(5);
		const mismatch = await tusFetch(
			link,
			"PATCH",
			url,
			{ "Content-Type": "application/offset+octet-stream", "Upload-Offset": "5" },
			body,
		);
		await drain(mismatch);
		expect(mismatch.status).toBe(409);
		expect((await tusHead(link, url)).offset).toBe(0);

		const unknown = await tusHead(link, `${link.tus}${"x".repeat(26)}`);
		expect(unknown.status).toBe(404);

		const noSecret = await fetch(url, { method: "HEAD", headers: { "Tus-Resumable": "1.0.0" } });
		expect(noSecret.status).toBe(404);
		const wrongSecret = await tusFetch(link, "HEAD", url, { "Link-Secret": "A".repeat(43) });
		expect(wrongSecret.status).toBe(404);
	});

	test("CORS preflight allows the tus request headers and exposes the tus answer headers", async () => {
		const link = await newLink();
		const origin = "https://uploader.example";
		const res = await fetch(link.tus, {
			method: "OPTIONS",
			headers: {
				Origin: origin,
				"Access-Control-Request-Method": "POST",
				"Access-Control-Request-Headers": "link-secret,tus-resumable,upload-length,upload-metadata",
			},
		});
		await drain(res);
		expect(res.status).toBe(204);
		expect(res.headers.get("Access-Control-Allow-Origin")).toMatch(new RegExp(`^(\\*|${origin})$`));
		const allowed = lower(res.headers.get("Access-Control-Allow-Headers"));
		if (!allowed.includes("*"))
			expect(allowed).toEqual(
				expect.arrayContaining([
					"link-secret",
					"tus-resumable",
					"upload-length",
					"upload-metadata",
				]),
			);
		const methods = lower(res.headers.get("Access-Control-Allow-Methods"));
		if (!methods.includes("*")) expect(methods).toContain("post");
		expect(lower(res.headers.get("Access-Control-Expose-Headers"))).toEqual(
			expect.arrayContaining(EXPOSED),
		);

		// An actual answer to a browser exposes them too (else the client cannot read Location).
		const created = await tusFetch(link, "POST", link.tus, {
			Origin: origin,
			"Upload-Length": "1",
			"Upload-Metadata": "filename Y29ycy5iaW4=",
		});
		await drain(created);
		expect(created.status).toBe(201);
		expect(created.headers.get("Access-Control-Allow-Origin")).toMatch(
			new RegExp(`^(\\*|${origin})$`),
		);
		expect(lower(created.headers.get("Access-Control-Expose-Headers"))).toEqual(
			expect.arrayContaining(EXPOSED),
		);
	});
});

const EXPOSED = [
	"location",
	"upload-offset",
	"upload-length",
	"upload-expires",
	"tus-resumable",
	"receive-link-command",
];

function lower(list: string | null): string[] {
	return (list ?? "")
		.split(",")
		.map((s) => s.trim().toLowerCase())
		.filter(Boolean);
}

// The service answers at all (so a failure above is about tus, not the harness).
test("harness: the service runs and the owner can create links", async () => {
	const link = await newLink();
	const { admin } = service();
	const { link: view } = await admin.getLink(link.id);
	expect(view.id).toBe(link.id);
});
