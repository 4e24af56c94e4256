/**
 * The object store file bytes live in, as narrow as its callers need it:
 * single and multipart writes on the upload path, ranged reads for
 * downloads, the finalize check, listing and deleting for cleanup, and a
 * probe for readiness. R2 is its one implementation (`r2Store` in
 * src/storage/r2.ts, the only code that reads R2's errors); the edge and the
 * link's Durable Object hold an `ObjectStore`, never the bucket
 * (docs/storage.md#r2). Types, and the store's parallelism.
 */

/** Store calls a link's object keeps in flight at once (cleanup, finalize checks). */
export const STORE_PARALLEL = 16;

/** Why a store call failed: a closed set, read from the store's errors in one place. */
export type StoreFailure =
	/** No such object. */
	| "missing"
	/** No such multipart upload: it was aborted or already completed. */
	| "aborted"
	/** The body did not have its declared length (the stream ended early or broke). */
	| "length-mismatch"
	/** The bytes did not match the declared SHA-256. */
	| "checksum-mismatch"
	/** Anything else: the store is failing; retrying may help. */
	| "unavailable";

/** What a write on the upload path answers: it never throws. */
export type StoreResult<T> =
	| { ok: true; value: T }
	| { ok: false; failure: StoreFailure /** the original error, for logs */; error: unknown };

/** The bytes a write sends. */
export type ObjectBody = ReadableStream<Uint8Array> | Uint8Array | string;

/** A stored object as a read answers it. */
export interface StoredObject {
	readonly body: ReadableStream<Uint8Array>;
	readonly size: number;
	readonly httpEtag: string;
	arrayBuffer(): Promise<ArrayBuffer>;
}

/** A committed object against what its uploader declared (finalize). */
export type ObjectCheck =
	| "ok"
	| Extract<StoreFailure, "missing" | "length-mismatch" | "checksum-mismatch">;

/** A written object: its etag and size. */
export interface Written {
	etag: string;
	size: number;
}

export interface ObjectStore {
	// --- writes on the upload path: outcomes, never thrown ----------------------
	/** A whole object; with `sha256`, the store verifies the bytes (a mismatch is `checksum-mismatch`). */
	put(key: string, body: ObjectBody, sha256: string | null): Promise<StoreResult<Written>>;
	/** Starts a multipart upload; the value is its id (the `multipartId` of every later call). */
	createMultipart(key: string, contentType: string): Promise<StoreResult<string>>;
	/** One part of a multipart upload; the value is the part's etag. */
	uploadPart(
		key: string,
		multipartId: string,
		partNumber: number,
		body: ObjectBody,
	): Promise<StoreResult<string>>;
	/** Commits a multipart upload from its parts. */
	completeMultipart(
		key: string,
		multipartId: string,
		parts: readonly { partNumber: number; etag: string }[],
	): Promise<StoreResult<Written>>;

	// --- reads ---------------------------------------------------------------------
	/** An object's body (a range of it, if given), or null when there is no such object. */
	get(key: string, range?: { offset: number; length: number }): Promise<StoredObject | null>;
	/** Checks a committed object's size, and its sha256 when one was declared. */
	check(key: string, size: number, sha256: string | null): Promise<ObjectCheck>;
	/** Reaches the store (GET /readyz): resolves whether or not `key` exists, throws when it cannot. */
	probe(key: string): Promise<void>;
	/** Every key under `prefix`, one page at a time. */
	list(prefix: string): AsyncGenerator<string[]>;

	// --- cleanup: idempotent ("already gone" is done), any other failure thrown ----
	/** Aborts a multipart upload; one already aborted or completed is not an error. */
	abortMultipart(key: string, multipartId: string): Promise<void>;
	/** Deletes objects; missing keys are not an error. */
	delete(keys: readonly string[]): Promise<void>;
	/** Deletes every object under `prefix`; how many it deleted. */
	purge(prefix: string): Promise<number>;
}
