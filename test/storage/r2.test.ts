/**
 * The R2 adapter (src/storage/r2.ts): how it classifies what R2 answers, with
 * the error texts the runtime produces (seen from miniflare here, same format
 * as R2: `<operation>: <message> (<code>)`), with fake buckets that throw
 * them, and against the real bucket binding.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type GuardedBody, writeFailureOf } from "../../src/api/http/body";
import { fenceProblem } from "../../src/domain/fence";
import type { StoreFailure } from "../../src/storage/object-store";
import * as r2 from "../../src/storage/r2";
import { bytesOf } from "../helpers";

/** Error texts as the runtime reports them (copied from miniflare's R2 through workerd). */
const TEXT = {
	noSuchUploadPart: "uploadPart: The specified multipart upload does not exist. (10024)",
	noSuchUploadComplete:
		"completeMultipartUpload: The specified multipart upload does not exist. (10024)",
	badDigest:
		"put: The SHA-256 checksum you specified did not match what we received.\nYou provided a SHA-256 checksum with value: 00\nActual SHA-256 was: 2c (10037)",
	internal: "abortMultipartUpload: We encountered an internal error. Please try again. (10001)",
	invalidPart:
		"completeMultipartUpload: One or more of the specified parts could not be found. (10025)",
	noSuchKey: "get: The specified key does not exist. (10007)",
	networkLost: "Network connection lost.",
	bodyEnded: "The request body ended prematurely",
	guardShort: "body shorter than declared (5 of 10 bytes)",
	fixedLength: "FixedLengthStream did not see all expected bytes before close().",
} as const;

describe("classifyR2Error", () => {
	const cases: [string, unknown, StoreFailure][] = [
		["uploadPart on a gone multipart upload", new Error(TEXT.noSuchUploadPart), "aborted"],
		["complete on a gone multipart upload", new Error(TEXT.noSuchUploadComplete), "aborted"],
		["the S3 name NoSuchUpload", new Error("NoSuchUpload: upload gone"), "aborted"],
		["a SHA-256 mismatch", new Error(TEXT.badDigest), "checksum-mismatch"],
		["the S3 name BadDigest", new Error("BadDigest"), "checksum-mismatch"],
		["a missing key", new Error(TEXT.noSuchKey), "missing"],
		["the S3 name NoSuchKey", new Error("NoSuchKey"), "missing"],
		["a lost connection", new Error(TEXT.networkLost), "length-mismatch"],
		["a body that ended early", new TypeError(TEXT.bodyEnded), "length-mismatch"],
		["the length guard's error", new Error(TEXT.guardShort), "length-mismatch"],
		["a FixedLengthStream short of bytes", new TypeError(TEXT.fixedLength), "length-mismatch"],
		["an internal error", new Error(TEXT.internal), "unavailable"],
		["an invalid part list", new Error(TEXT.invalidPart), "unavailable"],
		["a thrown string", "boom", "unavailable"],
		["a thrown non-error", { code: 42 }, "unavailable"],
	];
	for (const [name, error, failure] of cases) {
		it(`${name} is ${failure}`, () => {
			expect(r2.classifyR2Error(error)).toBe(failure);
		});
	}
});

/** A bucket whose every call throws `error` (only what the adapter calls is faked). */
function throwingBucket(error: unknown): R2Bucket {
	const fail = async () => {
		throw error;
	};
	return {
		put: fail,
		get: fail,
		head: fail,
		list: fail,
		delete: fail,
		createMultipartUpload: fail,
		resumeMultipartUpload: () => ({ uploadPart: fail, complete: fail, abort: fail }),
	} as unknown as R2Bucket;
}

describe("writes return outcomes, never throw", () => {
	it("a put whose bytes do not match is checksum-mismatch, with the original error", async () => {
		const error = new Error(TEXT.badDigest);
		const r = await r2.putObject(throwingBucket(error), "k", "x", "00".repeat(32));
		expect(r).toEqual({ ok: false, failure: "checksum-mismatch", error });
	});

	it("a part for a multipart upload R2 no longer knows is aborted", async () => {
		const r = await r2.uploadPart(
			throwingBucket(new Error(TEXT.noSuchUploadPart)),
			"k",
			"u",
			1,
			"x",
		);
		expect(r.ok || r.failure).toBe("aborted");
	});

	it("a complete for a multipart upload R2 no longer knows is aborted", async () => {
		const bucket = throwingBucket(new Error(TEXT.noSuchUploadComplete));
		const r = await r2.completeMultipart(bucket, "k", "u", []);
		expect(r.ok || r.failure).toBe("aborted");
	});

	it("a failing create is unavailable", async () => {
		const r = await r2.createMultipart(throwingBucket(new Error(TEXT.internal)), "k", "text/plain");
		expect(r.ok || r.failure).toBe("unavailable");
	});
});

describe("cleanup is idempotent", () => {
	it("aborting a multipart upload that is already gone is not an error", async () => {
		for (const text of [TEXT.noSuchUploadPart, "NoSuchUpload", TEXT.noSuchKey, "not found"])
			await expect(r2.abortMultipart(throwingBucket(new Error(text)), "k", "u")).resolves.toBe(
				undefined,
			);
	});

	it("any other abort failure is thrown as it came, so the step is retried", async () => {
		const error = new Error(TEXT.internal);
		await expect(r2.abortMultipart(throwingBucket(error), "k", "u")).rejects.toBe(error);
	});

	it("deletes go 1,000 keys per call", async () => {
		const calls: number[] = [];
		const bucket = {
			delete: async (keys: string[]) => {
				calls.push(keys.length);
			},
		} as unknown as R2Bucket;
		await r2.deleteKeys(
			bucket,
			Array.from({ length: 2_345 }, (_, i) => `k${i}`),
		);
		expect(calls).toEqual([1000, 1000, 345]);
		await r2.deleteKeys(bucket, []);
		expect(calls).toHaveLength(3);
	});
});

describe("against the bucket binding", () => {
	it("uploadPart and complete after an abort are aborted; aborting twice is fine", async () => {
		const key = "r2-test/aborted";
		const { uploadId } = await env.FILES.createMultipartUpload(key);
		await r2.abortMultipart(env.FILES, key, uploadId);
		await r2.abortMultipart(env.FILES, key, uploadId);
		const part = await r2.uploadPart(env.FILES, key, uploadId, 1, "x");
		expect(part.ok || part.failure).toBe("aborted");
		const done = await r2.completeMultipart(env.FILES, key, uploadId, []);
		expect(done.ok || done.failure).toBe("aborted");
	});

	it("a completed multipart upload is gone for a second complete", async () => {
		const key = "r2-test/completed";
		const created = await r2.createMultipart(env.FILES, key, "application/octet-stream");
		if (!created.ok) throw created.error;
		const etag = await r2.uploadPart(env.FILES, key, created.value, 1, "abc");
		if (!etag.ok) throw etag.error;
		const parts = [{ partNumber: 1, etag: etag.value }];
		const first = await r2.completeMultipart(env.FILES, key, created.value, parts);
		expect(first.ok && first.value.size).toBe(3);
		const again = await r2.completeMultipart(env.FILES, key, created.value, parts);
		expect(again.ok || again.failure).toBe("aborted");
		await r2.abortMultipart(env.FILES, key, created.value);
	});

	it("a put with a wrong sha256 is checksum-mismatch and stores nothing", async () => {
		const key = "r2-test/checksum";
		const r = await r2.putObject(env.FILES, key, "hello", "00".repeat(32));
		expect(r.ok || r.failure).toBe("checksum-mismatch");
		expect(await env.FILES.head(key)).toBeNull();
	});

	it("a body shorter than its fixed length is length-mismatch", async () => {
		const fixed = new FixedLengthStream(10);
		const writer = fixed.writable.getWriter();
		void writer
			.write(new Uint8Array(5))
			.then(() => writer.close())
			.catch(() => undefined);
		const r = await r2.putObject(env.FILES, "r2-test/short", fixed.readable, null);
		expect(r.ok || r.failure).toBe("length-mismatch");
		expect(await env.FILES.head("r2-test/short")).toBeNull();
	});

	it("checkObject tells ok, missing, length-mismatch and checksum-mismatch apart", async () => {
		const key = "r2-test/check";
		const data = bytesOf(64);
		const sha = [...new Uint8Array(await crypto.subtle.digest("SHA-256", data))]
			.map((b) => b.toString(16).padStart(2, "0"))
			.join("");
		expect(await r2.checkObject(env.FILES, key, 64, null)).toBe("missing");
		await env.FILES.put(key, data);
		expect(await r2.checkObject(env.FILES, key, 64, null)).toBe("ok");
		expect(await r2.checkObject(env.FILES, key, 64, sha)).toBe("ok");
		expect(await r2.checkObject(env.FILES, key, 63, sha)).toBe("length-mismatch");
		expect(await r2.checkObject(env.FILES, key, 64, "00".repeat(32))).toBe("checksum-mismatch");
	});

	it("purges a prefix, leaving other prefixes alone", async () => {
		for (const k of ["a", "b", "c"]) await env.FILES.put(`r2-test/purge/${k}`, "x");
		await env.FILES.put("r2-test/keep", "x");
		expect(await r2.purgePrefix(env.FILES, "r2-test/purge/")).toBe(3);
		expect((await env.FILES.list({ prefix: "r2-test/purge/" })).objects).toEqual([]);
		expect(await env.FILES.head("r2-test/keep")).not.toBeNull();
	});

	it("lists a prefix one page at a time, following R2's cursor", async () => {
		const seen: R2ListOptions[] = [];
		const pages = [
			{ objects: [{ key: "p/1" }, { key: "p/2" }], truncated: true, cursor: "c1" },
			{ objects: [{ key: "p/3" }], truncated: false },
		];
		const bucket = {
			list: async (options: R2ListOptions) => {
				seen.push(options);
				return pages[seen.length - 1];
			},
		} as unknown as R2Bucket;
		const keys: string[][] = [];
		for await (const page of r2.listKeys(bucket, "p/")) keys.push(page);
		expect(keys).toEqual([["p/1", "p/2"], ["p/3"]]);
		expect(seen).toEqual([
			{ prefix: "p/", limit: 1000 },
			{ prefix: "p/", limit: 1000, cursor: "c1" },
		]);
	});
});

describe("writeFailureOf (src/api/http/body.ts): the body's fault, then the adapter's outcome", () => {
	const body = (fault: GuardedBody["fault"], framed?: boolean): GuardedBody => ({
		stream: "",
		fault,
		...(framed === undefined ? {} : { framed }),
	});
	const fine = () => null;
	/** What the uploader of a body write is told for it (the fence's table, src/domain/fence.ts). */
	const told = (failure: StoreFailure, guarded: GuardedBody) =>
		fenceProblem(writeFailureOf(failure, guarded), "body")?.code;

	it("a guarded body's own fault wins over what R2 said", () => {
		expect(
			told(
				"unavailable",
				body(() => "short"),
			),
		).toBe("length-mismatch");
		expect(
			told(
				"checksum-mismatch",
				body(() => "long"),
			),
		).toBe("length-mismatch");
	});

	it("a runtime length failure is the body's only when the runtime enforced the length", () => {
		expect(told("length-mismatch", body(fine, true))).toBe("length-mismatch");
		expect(told("length-mismatch", body(fine))).toBe("storage-unavailable");
	});

	it("maps the other outcomes", () => {
		expect(told("aborted", body(fine))).toBe("upload-aborted");
		expect(told("checksum-mismatch", body(fine, true))).toBe("checksum-mismatch");
		expect(told("missing", body(fine))).toBe("storage-unavailable");
		expect(told("unavailable", body(fine, true))).toBe("storage-unavailable");
	});
});
