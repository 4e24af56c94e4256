/**
 * The one R2 adapter. Every bucket call of the Worker and the DO goes through
 * here, and what R2 answers comes back as a small closed set of outcomes;
 * nothing else reads R2 error text.
 *
 * Writes the uploader's request waits on (put, part, create, complete) return
 * an `R2Result`: their failure is recorded and answered, never thrown.
 * Cleanup calls (abort, delete, list, purge) are idempotent: "already gone"
 * is success, anything else is thrown so the step or sweep running them
 * fails and is retried.
 */

/** R2 calls a link's object keeps in flight at once (cleanup, finalize checks). */
export const R2_PARALLEL = 16;

/** Why an R2 call failed. */
export type R2Failure =
	/** No such object. */
	| "missing"
	/** No such multipart upload: it was aborted or already completed. */
	| "aborted"
	/** The body did not have its declared length (the stream ended early or broke). */
	| "length-mismatch"
	/** The bytes did not match the declared SHA-256. */
	| "checksum-mismatch"
	/** Anything else: R2 is failing; retrying may help. */
	| "unavailable";

export type R2Result<T> =
	| { ok: true; value: T }
	| { ok: false; failure: R2Failure /** the original error, for logs */; error: unknown };

/**
 * R2's error texts, in the order they are tested. The runtime reports R2
 * errors as `<operation>: <message> (<code>)`, e.g. `uploadPart: The
 * specified multipart upload does not exist. (10024)`; the S3 names
 * (`NoSuchUpload`, `BadDigest`, `NoSuchKey`) are matched too. A length
 * failure is the runtime's, not R2's: the request body ended early, or a
 * `FixedLengthStream` did not get its bytes.
 */
const PATTERNS: readonly (readonly [Exclude<R2Failure, "unavailable">, RegExp])[] = [
	[
		"length-mismatch",
		/disconnect|connection lost|prematurely|shorter|content-length|did not see all expected bytes/i,
	],
	["aborted", /NoSuchUpload|\(10024\)|multipart upload does not exist/i],
	["checksum-mismatch", /BadDigest|\(10037\)|sha-?256|checksum|digest/i],
	["missing", /NoSuchKey|\(10007\)|does not exist|not found/i],
];

/** Classifies an error thrown by an R2 call. */
export function classifyR2Error(error: unknown): R2Failure {
	const text = String(error);
	for (const [failure, pattern] of PATTERNS) if (pattern.test(text)) return failure;
	return "unavailable";
}

async function attempt<T>(call: () => Promise<T>): Promise<R2Result<T>> {
	try {
		return { ok: true, value: await call() };
	} catch (error) {
		return { ok: false, failure: classifyR2Error(error), error };
	}
}

// --- writes on the upload path ------------------------------------------------

/** A single PUT; with `sha256`, R2 verifies the bytes (a mismatch is `checksum-mismatch`). */
export function putObject(
	bucket: R2Bucket,
	key: string,
	body: ReadableStream<Uint8Array> | Uint8Array | string,
	sha256: string | null,
): Promise<R2Result<{ etag: string; size: number }>> {
	return attempt(async () => {
		const object = await bucket.put(key, body, sha256 ? { sha256 } : {});
		return { etag: object.etag, size: object.size };
	});
}

/** Creates a multipart upload; the value is R2's upload id. */
export function createMultipart(
	bucket: R2Bucket,
	key: string,
	contentType: string,
): Promise<R2Result<string>> {
	return attempt(
		async () =>
			(await bucket.createMultipartUpload(key, { httpMetadata: { contentType } })).uploadId,
	);
}

/** Uploads one part of a multipart upload; the value is the part's etag. */
export function uploadPart(
	bucket: R2Bucket,
	key: string,
	r2UploadId: string,
	partNumber: number,
	body: ReadableStream<Uint8Array> | Uint8Array | string,
): Promise<R2Result<string>> {
	return attempt(
		async () =>
			(await bucket.resumeMultipartUpload(key, r2UploadId).uploadPart(partNumber, body)).etag,
	);
}

/** Commits a multipart upload from its parts. */
export function completeMultipart(
	bucket: R2Bucket,
	key: string,
	r2UploadId: string,
	parts: R2UploadedPart[],
): Promise<R2Result<{ etag: string; size: number }>> {
	return attempt(async () => {
		const object = await bucket.resumeMultipartUpload(key, r2UploadId).complete(parts);
		return { etag: object.etag, size: object.size };
	});
}

// --- reads --------------------------------------------------------------------

/** An object's body (a range of it, if given), or null when there is no such object. */
/**
 * Reaches the bucket with a `head` of `key` (GET /readyz): resolves whether
 * or not the object exists, throws when the bucket cannot be reached.
 */
export async function probeBucket(bucket: R2Bucket, key: string): Promise<void> {
	await bucket.head(key);
}

export function getObject(
	bucket: R2Bucket,
	key: string,
	range?: { offset: number; length: number },
): Promise<R2ObjectBody | null> {
	return bucket.get(key, range ? { range } : {});
}

export type ObjectCheck =
	| "ok"
	| Extract<R2Failure, "missing" | "length-mismatch" | "checksum-mismatch">;

const hex = (buf: ArrayBuffer) =>
	[...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Checks a committed object against what the uploader declared: its size, and
 * its sha256 when one was declared (from R2's stored checksum when it has one,
 * else by streaming the object through a digest).
 */
export async function checkObject(
	bucket: R2Bucket,
	key: string,
	size: number,
	sha256: string | null,
): Promise<ObjectCheck> {
	const head = await bucket.head(key);
	if (!head) return "missing";
	if (head.size !== size) return "length-mismatch";
	if (!sha256) return "ok";
	const stored = head.checksums.sha256;
	if (stored) return hex(stored) === sha256 ? "ok" : "checksum-mismatch";
	const body = await bucket.get(key);
	if (!body) return "missing";
	const digest = new crypto.DigestStream("SHA-256");
	await body.body.pipeTo(digest);
	return hex(await digest.digest) === sha256 ? "ok" : "checksum-mismatch";
}

/** Every key under `prefix`, one page (up to 1,000 keys) at a time. */
export async function* listKeys(bucket: R2Bucket, prefix: string): AsyncGenerator<string[]> {
	let cursor: string | undefined;
	do {
		const page = await bucket.list({ prefix, limit: LIST_PAGE, ...(cursor ? { cursor } : {}) });
		yield page.objects.map((o) => o.key);
		cursor = page.truncated ? page.cursor : undefined;
	} while (cursor);
}

// --- cleanup (idempotent) -----------------------------------------------------

/** Aborts a multipart upload; one already aborted or completed is not an error. */
export async function abortMultipart(
	bucket: R2Bucket,
	key: string,
	r2UploadId: string,
): Promise<void> {
	const r = await attempt(() => bucket.resumeMultipartUpload(key, r2UploadId).abort());
	if (!r.ok && r.failure !== "aborted" && r.failure !== "missing") throw r.error;
}

/** Deletes objects, 1,000 keys per call (R2's limit); missing keys are not an error. */
export async function deleteKeys(bucket: R2Bucket, keys: readonly string[]): Promise<void> {
	for (let i = 0; i < keys.length; i += DELETE_BATCH)
		await bucket.delete(keys.slice(i, i + DELETE_BATCH));
}

/** Deletes every object under `prefix`, page by page. Returns how many it deleted. */
export async function purgePrefix(bucket: R2Bucket, prefix: string): Promise<number> {
	let deleted = 0;
	for (;;) {
		const page = await bucket.list({ prefix, limit: LIST_PAGE });
		if (page.objects.length > 0) {
			await bucket.delete(page.objects.map((o) => o.key));
			deleted += page.objects.length;
		}
		// Listing again from the start is safe: deleted keys are gone.
		if (!page.truncated) return deleted;
	}
}

/** Keys per list page and per delete call (R2's maximum for both). */
const LIST_PAGE = 1000;
const DELETE_BATCH = 1000;
