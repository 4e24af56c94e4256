/**
 * The one fenced write (src/api/uploads/fenced-write.ts) seen from every upload
 * protocol, through every way a fenced write ends (src/domain/fence.ts,
 * docs/lifecycle.md#admit-and-record-around-every-r2-write): the admit
 * refused; the store's write ok, or failed (the body's length, checksum, a
 * gone multipart upload, unavailable, missing); the record refused. Every
 * protocol answers the same problem for an outcome (a complete, which sends
 * no body, answers 503 where a body write answers 400) and leaves the same
 * ledger: nothing recorded unless the write landed, the durable offset
 * where it was, and the quota held only by a session the uploader can come
 * back to (a one-request upload has none: one that did not land is ended).
 *
 * The store's failures are R2's own error texts, thrown by a bucket passed
 * to the app in front of the real one (the R2 adapter reads them); the
 * refusals are a pause before the request, or the race seam of test/hooks.ts
 * between the fence's admit and record. The expected answers are written
 * out here, not read from the table: a changed table entry fails them.
 */
import {
	createExecutionContext,
	runInDurableObject,
	waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import type { LinkDO } from "../../src/do/link-do";
import {
	bearer,
	bytesOf,
	call,
	callLink,
	expectClean,
	expectProblem,
	initUpload,
	ORIGIN,
	openLink,
	parseUploadUrl,
	setFaults,
	stubOf,
	uploadMetadata,
} from "../helpers";
import { streamOf } from "./hostile-shared";

const MiB = 1024 * 1024;
const TUS = { "Tus-Resumable": "1.0.0", "Content-Type": "application/offset+octet-stream" };

/** The R2 call a protocol's fenced write makes. */
type StoreCall = "put" | "uploadPart" | "complete";

interface Link {
	apiKey: string;
	linkId: string;
	uploadUrl: string;
	secret: string;
}

interface Protocol {
	name: string;
	call: StoreCall;
	/** `commit`: complete, which sends no body; `body`: the others. */
	kind: "body" | "commit";
	/** Whether the uploader has a session to come back to when the write does not land. */
	keepsSession: boolean;
	/** The answer's status when the write is recorded. */
	okStatus: number;
	/** The ledger once the write is recorded: the session, parts and bytes it added. */
	recorded: { session: "open" | "done"; parts: number; offset: number };
	/** How the admit is refused: the link paused before the request, or by the race seam. */
	refuseAdmit: "pause-first" | "seam";
	/** Race-seam points to pass before the fence's own (a tus creation admits and records its init first). */
	skip: number;
	/** Sets up the session the request needs; the request, built afresh per call. */
	prepare(link: Link): Promise<() => Request>;
}

/**
 * A request as it reaches the app: a body of known length comes with its
 * Content-Length (the runtime adds it on the wire; here the app gets the
 * Request as built).
 */
function request(path: string, init: RequestInit): Request {
	const headers = new Headers(init.headers);
	if (init.body instanceof Uint8Array) headers.set("Content-Length", String(init.body.byteLength));
	return new Request(`${ORIGIN}${path}`, { ...init, headers });
}

const PROTOCOLS: Protocol[] = [
	{
		name: "native single PUT",
		call: "put",
		kind: "body",
		keepsSession: true,
		okStatus: 200,
		recorded: { session: "done", parts: 0, offset: 10 },
		refuseAdmit: "pause-first",
		skip: 0,
		async prepare({ linkId, uploadUrl, secret }) {
			const { upload, uploadToken } = await initUpload(uploadUrl, { name: "s.bin", size: 10 });
			return () =>
				request(`/r/${linkId}/uploads/${upload.id}`, {
					method: "PUT",
					headers: { "Link-Secret": secret, "Upload-Token": uploadToken },
					body: bytesOf(10),
				});
		},
	},
	{
		name: "native part PUT",
		call: "uploadPart",
		kind: "body",
		keepsSession: true,
		okStatus: 200,
		recorded: { session: "open", parts: 1, offset: MiB },
		refuseAdmit: "pause-first",
		skip: 0,
		async prepare({ linkId, uploadUrl, secret }) {
			const { upload, uploadToken } = await initUpload(uploadUrl, { name: "m.bin", size: 9 * MiB });
			return () =>
				request(`/r/${linkId}/uploads/${upload.id}/parts/2`, {
					method: "PUT",
					headers: { "Link-Secret": secret, "Upload-Token": uploadToken },
					body: bytesOf(MiB, 2),
				});
		},
	},
	{
		name: "native complete",
		call: "complete",
		kind: "commit",
		keepsSession: true,
		okStatus: 200,
		recorded: { session: "done", parts: 0, offset: 0 },
		refuseAdmit: "pause-first",
		skip: 0,
		async prepare({ linkId, uploadUrl, secret }) {
			const { upload, uploadToken } = await initUpload(uploadUrl, { name: "m.bin", size: 9 * MiB });
			for (const [n, size] of [
				[1, 8 * MiB],
				[2, MiB],
			] as const) {
				const res = await callLink(uploadUrl, `/uploads/${upload.id}/parts/${n}`, {
					method: "PUT",
					headers: { "Upload-Token": uploadToken },
					body: bytesOf(size, n),
				});
				expect(res.status).toBe(200);
			}
			return () =>
				request(`/r/${linkId}/uploads/${upload.id}/complete`, {
					method: "POST",
					headers: { "Link-Secret": secret, "Upload-Token": uploadToken },
				});
		},
	},
	{
		// A body without Content-Length is cut in memory: its one part is written from there.
		name: "tus PATCH",
		call: "uploadPart",
		kind: "body",
		keepsSession: true,
		okStatus: 204,
		recorded: { session: "done", parts: 1, offset: 20 },
		refuseAdmit: "seam",
		skip: 0,
		async prepare({ linkId, secret }) {
			const created = await call(`/r/${linkId}/tus/`, {
				method: "POST",
				headers: {
					"Tus-Resumable": "1.0.0",
					"Link-Secret": secret,
					"Upload-Length": "20",
					"Upload-Metadata": uploadMetadata({ filename: "t.bin" }),
				},
			});
			expect(created.status).toBe(201);
			const path = new URL(created.headers.get("location") ?? "").pathname;
			return () =>
				request(path, {
					method: "PATCH",
					headers: { ...TUS, "Link-Secret": secret, "Upload-Offset": "0" },
					body: streamOf(bytesOf(20, 3)),
				});
		},
	},
	{
		// A creation carrying exactly its one part streams it as it came (the whole-part path).
		name: "tus creation-with-upload",
		call: "uploadPart",
		kind: "body",
		keepsSession: true,
		okStatus: 201,
		recorded: { session: "done", parts: 1, offset: 20 },
		refuseAdmit: "seam",
		skip: 1,
		async prepare({ linkId, secret }) {
			return () =>
				request(`/r/${linkId}/tus/`, {
					method: "POST",
					headers: {
						...TUS,
						"Link-Secret": secret,
						"Upload-Length": "20",
						"Upload-Metadata": uploadMetadata({ filename: "c.bin" }),
					},
					body: bytesOf(20, 4),
				});
		},
	},
	{
		name: "one-request small file",
		call: "put",
		kind: "body",
		keepsSession: false,
		okStatus: 202,
		recorded: { session: "done", parts: 0, offset: 10 },
		refuseAdmit: "pause-first",
		skip: 0,
		async prepare({ linkId, secret }) {
			return () =>
				request(`/r/${linkId}/files`, {
					method: "POST",
					headers: {
						"Link-Secret": secret,
						"Upload-Metadata": uploadMetadata({ filename: "small.bin" }),
					},
					body: bytesOf(10, 5),
				});
		},
	},
];

/** A problem the uploader gets: its status and code. */
type Told = readonly [status: number, code: string];

interface Outcome {
	name: string;
	/** R2's error, thrown by the fenced write's store call (none: the write lands). */
	r2Error?: (call: StoreCall) => Error;
	/** The race seam, or a pause before the request. */
	refusal?: "admit" | "record";
	/** What a body write and a complete are told (none: the write is recorded). */
	told: { body: Told; commit: Told } | null;
}

const both = (told: Told) => ({ body: told, commit: told });
const STORAGE: Told = [503, "storage-unavailable"];

const OUTCOMES: Outcome[] = [
	{ name: "admit refused", refusal: "admit", told: both([423, "link-paused"]) },
	{ name: "written", told: null },
	{
		name: "the body's length fault",
		r2Error: () => new Error("Network connection lost."),
		told: { body: [400, "length-mismatch"], commit: STORAGE },
	},
	{
		name: "checksum mismatch",
		r2Error: (c) =>
			new Error(`${c}: The SHA-256 checksum you specified did not match what we received. (10037)`),
		told: { body: [400, "checksum-mismatch"], commit: STORAGE },
	},
	{
		name: "multipart upload gone",
		r2Error: (c) => new Error(`${c}: The specified multipart upload does not exist. (10024)`),
		told: both([410, "upload-aborted"]),
	},
	{
		name: "storage unavailable",
		r2Error: (c) => new Error(`${c}: We encountered an internal error. Please try again. (10001)`),
		told: both(STORAGE),
	},
	{
		name: "object missing",
		r2Error: (c) => new Error(`${c}: The specified key does not exist. (10007)`),
		told: both(STORAGE),
	},
	{ name: "record refused", refusal: "record", told: both([410, "link-revoked"]) },
];

/** The real bucket, but the first `call` throws `error` (as R2 does, before storing anything). */
function bucketFailing(call: StoreCall, error: Error | undefined): R2Bucket {
	const real = env.FILES;
	let armed = error !== undefined;
	const fail = (at: StoreCall) => {
		if (!armed || at !== call) return;
		armed = false;
		throw error;
	};
	return {
		head: (key: string) => real.head(key),
		get: (key: string, options?: R2GetOptions) => real.get(key, options),
		list: (options?: R2ListOptions) => real.list(options),
		delete: (keys: string | string[]) => real.delete(keys),
		put: async (...args: Parameters<R2Bucket["put"]>) => {
			fail("put");
			return real.put(...args);
		},
		createMultipartUpload: (key: string, options?: R2MultipartOptions) =>
			real.createMultipartUpload(key, options),
		resumeMultipartUpload: (key: string, id: string) => {
			const upload = real.resumeMultipartUpload(key, id);
			return {
				key,
				uploadId: id,
				uploadPart: async (...args: Parameters<R2MultipartUpload["uploadPart"]>) => {
					fail("uploadPart");
					return upload.uploadPart(...args);
				},
				complete: async (parts: R2UploadedPart[]) => {
					fail("complete");
					return upload.complete(parts);
				},
				abort: () => upload.abort(),
			};
		},
	} as unknown as R2Bucket;
}

/** The ledger as the link's DO holds it. */
async function ledgerOf(linkId: string) {
	return runInDurableObject(stubOf(linkId), (_i: LinkDO, state) => {
		const sql = state.storage.sql;
		const link = sql
			.exec<{ state: string; reserved_files: number; files_count: number }>(
				"SELECT state, reserved_files, files_count FROM link",
			)
			.one();
		const upload = sql
			.exec<{ state: string; size: number; protocol: string; tus_offset: number }>(
				"SELECT state, size, protocol, tus_offset FROM uploads",
			)
			.toArray()[0];
		const parts = sql.exec<{ size: number }>("SELECT size FROM parts").toArray();
		const done = upload?.state === "completed" || upload?.state === "finalized";
		return {
			link: link.state,
			session: !upload ? "gone" : done ? "done" : upload.state === "open" ? "open" : "gone",
			parts: parts.length,
			// The durable offset: every byte once complete; tus counts its own; else the parts.
			offset: !upload
				? 0
				: done
					? upload.size
					: upload.protocol === "tus"
						? upload.tus_offset
						: parts.reduce((n, p) => n + p.size, 0),
			// What the upload holds against the link's quota: reserved, or counted as a file.
			quota: link.reserved_files + link.files_count,
		};
	});
}

for (const outcome of OUTCOMES) {
	describe(`a fenced write that ends as: ${outcome.name}`, () => {
		for (const p of PROTOCOLS) {
			it(`${p.name}: ${outcome.told ? outcome.told[p.kind].join(" ") : p.okStatus}, the same ledger as every protocol`, async () => {
				const { apiKey, linkId, uploadUrl } = await openLink();
				const link = { apiKey, linkId, uploadUrl, secret: parseUploadUrl(uploadUrl).secret };
				const send = await p.prepare(link);
				const before = await ledgerOf(linkId);
				if (outcome.refusal === "admit" && p.refuseAdmit === "pause-first") {
					const paused = await call(`/api/links/${linkId}/pause`, {
						method: "POST",
						headers: bearer(apiKey),
					});
					expect(paused.status).toBe(200);
				} else if (outcome.refusal) {
					const kind = outcome.refusal === "admit" ? "pause" : "revoke";
					await setFaults(linkId, { race: { kind, at: outcome.refusal, skip: p.skip } });
				}

				const ctx = createExecutionContext();
				const res = await app.fetch(
					send(),
					{ ...env, FILES: bucketFailing(p.call, outcome.r2Error?.(p.call)) },
					ctx,
				);
				await waitOnExecutionContext(ctx);

				const told = outcome.told?.[p.kind];
				if (told) await expectProblem(res, ...told);
				else expect(res.status, await res.text()).toBe(p.okStatus);
				const after = await ledgerOf(linkId);
				const kept = p.keepsSession && outcome.refusal !== "record";
				const expected = told
					? {
							link:
								outcome.refusal === "admit"
									? "paused"
									: outcome.refusal === "record"
										? "revoked"
										: "active",
							session: kept ? "open" : "gone",
							parts: 0,
							offset: 0,
							quota: kept ? 1 : 0,
						}
					: { link: "active", ...p.recorded, quota: 1 };
				expect({
					link: after.link,
					session: after.session,
					parts: after.parts - before.parts,
					offset: after.offset - before.offset,
					quota: after.quota,
				}).toEqual(expected);
				if (told) await expectClean(linkId);
			});
		}
	});
}
