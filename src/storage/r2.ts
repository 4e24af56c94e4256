/**
 * The R2 adapter: the object store (src/storage/object-store.ts) over an R2
 * bucket. Every bucket call of the Worker and the DO goes through here
 * (`r2Store`), and what R2 answers comes back as a small closed set of
 * outcomes; nothing else reads R2 error text.
 *
 * Writes the uploader's request waits on (put, part, create, complete) return
 * a `StoreResult`: their failure is recorded and answered, never thrown.
 * Cleanup calls (abort, delete, list, purge) are idempotent: "already gone"
 * is success, anything else is thrown so the step or sweep running them
 * fails and is retried. The functions below are the implementation, exported
 * for the adapter's own tests (test/storage/r2.test.ts); callers hold the
 * `ObjectStore`.
 */
import type {
	ObjectBody,
	ObjectCheck,
	ObjectStore,
	StoreFailure,
	StoreResult,
	Written,
} from "./object-store";

/** The object store over `bucket`: what the edge and the link's DO hold instead of the bucket. */
export function r2Store(bucket: R2Bucket): ObjectStore {
	return {
		put: (key, body, sha256) => putObject(bucket, key, body, sha256),
		createMultipart: (key, contentType) => createMultipart(bucket, key, contentType),
		uploadPart: (key, multipartId, n, body) => uploadPart(bucket, key, multipartId, n, body),
		completeMultipart: (key, multipartId, parts) =>
			completeMultipart(bucket, key, multipartId, parts),
		get: (key, range) => getObject(bucket, key, range),
		check: (key, size, sha256) => checkObject(bucket, key, size, sha256),
		probe: (key) => probeBucket(bucket, key),
		list: (prefix) => listKeys(bucket, prefix),
		abortMultipart: (key, multipartId) => abortMultipart(bucket, key, multipartId),
		delete: (keys) => deleteKeys(bucket, keys),
		purge: (prefix) => purgePrefix(bucket, prefix),
	};
}

/** The service's object store: the `FILES` bucket. */
export const filesStore = (env: { FILES: R2Bucket }): ObjectStore => r2Store(env.FILES);

/**
 * R2's error texts, in the order they are tested. The runtime reports R2
 * errors as `<operation>: <message> (<code>)`, e.g. `uploadPart: The
 * specified multipart upload does not exist. (10024)`; the S3 names
 * (`NoSuchUpload`, `BadDigest`, `NoSuchKey`) are matched too. A length
 * failure is the runtime's, not R2's: the request body ended early, or a
 * `FixedLengthStream` did not get its bytes.
 */
const PATTERNS: readonly (readonly [Exclude<StoreFailure, "unavailable">, RegExp])[] = [
	[
		"length-mismatch",
		/disconnect|connection lost|prematurely|shorter|content-length|did not see all expected bytes/i,
	],
	["aborted", /NoSuchUpload|\(10024\)|multipart upload does not exist/i],
	["checksum-mismatch", /BadDigest|\(10037\)|sha-?256|checksum|digest/i],
	["missing", /NoSuchKey|\(10007\)|does not exist|not found/i],
];

/** Classifies an error thrown by an R2 call. */
export function classifyR2Error(error: unknown): StoreFailure {
	const text = String(error);
	for (const [failure, pattern] of PATTERNS) if (pattern.test(text)) return failure;
	return "unavailable";
}

async function attempt<T>(call: () => Promise<T>): Promise<StoreResult<T>> {
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
	body: ObjectBody,
	sha256: string | null,
): Promise<StoreResult<Written>> {
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
): Promise<StoreResult<string>> {
	return attempt(
		async () =>
			(await bucket.createMultipartUpload(key, { httpMetadata: { contentType } })).uploadId,
	);
}

/** Uploads one part of a multipart upload; the value is the part's etag. */
export function uploadPart(
	bucket: R2Bucket,
	key: string,
	multipartId: string,
	partNumber: number,
	body: ObjectBody,
): Promise<StoreResult<string>> {
	return attempt(
		async () =>
			(await bucket.resumeMultipartUpload(key, multipartId).uploadPart(partNumber, body)).etag,
	);
}

/** Commits a multipart upload from its parts. */
export function completeMultipart(
	bucket: R2Bucket,
	key: string,
	multipartId: string,
	parts: readonly R2UploadedPart[],
): Promise<StoreResult<Written>> {
	return attempt(async () => {
		const object = await bucket.resumeMultipartUpload(key, multipartId).complete([...parts]);
		return { etag: object.etag, size: object.size };
	});
}

// --- reads --------------------------------------------------------------------

/**
 * Reaches the bucket with a `head` of `key` (GET /readyz): resolves whether
 * or not the object exists, throws when the bucket cannot be reached.
 */
export async function probeBucket(bucket: R2Bucket, key: string): Promise<void> {
	await bucket.head(key);
}

/** An object's body (a range of it, if given), or null when there is no such object. */
export function getObject(
	bucket: R2Bucket,
	key: string,
	range?: { offset: number; length: number },
): Promise<R2ObjectBody | null> {
	return bucket.get(key, range ? { range } : {});
}

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
	multipartId: string,
): Promise<void> {
	const r = await attempt(() => bucket.resumeMultipartUpload(key, multipartId).abort());
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
