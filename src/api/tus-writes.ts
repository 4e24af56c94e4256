/**
 * Writing a tus PATCH body into the upload: cut into the upload's fixed part
 * size, every part admitted and recorded by the link's DO around its R2
 * write (the same epoch fence as native parts), what is left below a part
 * boundary kept as this PATCH's remainder object, and the completion and
 * finalize when the last byte arrives. The routes are in tus.ts.
 */
import type { Context } from "hono";
import type { LinkDO } from "../do/link-do";
import type { TusGrant, UploadAuth } from "../do/rpc";
import { unwrap } from "../do/stub";
import { type Problem, ProblemError, problem } from "../domain/problems";
import { filesStore } from "../storage/r2";
import { discardRest, failedWriteReason, type GuardedBody, lengthChecked } from "./body";
import type { AppEnv } from "./context";

/** What a PATCH did: the durable offset it left, and the finalize command when it completed the upload. */
export interface PatchResult {
	offset: number;
	finalize: string | null;
}

const storageProblem = (): Problem =>
	problem("storage-unavailable", undefined, { retryable: true, retryAfter: 1 });

/** Bytes waiting to be cut into parts, in arrival order. */
class PartBuffer {
	private readonly chunks: Uint8Array[] = [];
	size = 0;

	push(chunk: Uint8Array): void {
		if (chunk.byteLength === 0) return;
		this.chunks.push(chunk);
		this.size += chunk.byteLength;
	}

	/** The first `n` bytes, removed from the buffer (n <= size). */
	take(n: number): Uint8Array {
		const out = new Uint8Array(n);
		let filled = 0;
		while (filled < n) {
			const head = this.chunks[0] as Uint8Array;
			const used = Math.min(head.byteLength, n - filled);
			out.set(head.subarray(0, used), filled);
			filled += used;
			if (used === head.byteLength) this.chunks.shift();
			else this.chunks[0] = head.subarray(used);
		}
		this.size -= n;
		return out;
	}
}

/** One full (or the last) part: admitted, written to the multipart upload, recorded. */
async function writePart(
	c: Context<AppEnv>,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
	n: number,
	bytes: Uint8Array,
): Promise<void> {
	const grant = unwrap(await stub.admitWrite({ ...auth, op: "part-put", partNumber: n }));
	const written = await filesStore(c.env).uploadPart(grant.key, grant.multipartId ?? "", n, bytes);
	const outcome = written.ok
		? { ok: true as const, etag: written.value, size: bytes.byteLength }
		: { ok: false as const, reason: failedWriteReason(written.failure, NO_BODY_FAULT) };
	unwrap(
		await stub.recordWrite({ uploadId: auth.uploadId, op: "part-put", partNumber: n, outcome }),
	);
}

/** The whole body was in memory: it has no fault of its own. */
const NO_BODY_FAULT: GuardedBody = { stream: "", fault: () => null, framed: true };

/** Commits the multipart upload (admitted and recorded) and queues its finalize; the command id. */
async function completeUpload(
	c: Context<AppEnv>,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
): Promise<string> {
	const grant = unwrap(await stub.admitWrite({ ...auth, op: "complete" }));
	if (!grant.alreadyCompleted) {
		const done = await filesStore(c.env).completeMultipart(
			grant.key,
			grant.multipartId ?? "",
			grant.parts,
		);
		const outcome = done.ok
			? { ok: true as const, ...done.value }
			: { ok: false as const, reason: failedWriteReason(done.failure, NO_BODY_FAULT) };
		unwrap(await stub.recordWrite({ uploadId: auth.uploadId, op: "complete", outcome }));
	}
	return unwrap(await stub.requestFinalize(auth)).command.id;
}

/**
 * Writes a PATCH body from the granted offset: full parts under admit and
 * record, the last part once the body is known to end with it (then complete
 * and finalize), and what is left below a part boundary as the remainder
 * object. A body that breaks off keeps what arrived (made durable as the
 * remainder), so the client resumes from the answered offset. A body longer
 * than the upload is refused as a whole (400 `length-mismatch`): the last
 * part is never written, and the offset goes back to where the PATCH began,
 * so no later HEAD or PATCH completes a file from a body that was refused.
 */
export async function writePatch(
	c: Context<AppEnv>,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
	grant: TusGrant,
	body: ReadableStream<Uint8Array> | Uint8Array,
	declaredLength: string | undefined,
): Promise<PatchResult> {
	if (isWholePart(grant, body, declaredLength))
		return writeWholePart(c, stub, auth, grant, body as ReadableStream<Uint8Array>);
	const store = filesStore(c.env);
	let part = grant.nextPart;
	/** The durable part boundary: the end of the last recorded part. */
	let partStart = Math.min((part - 1) * grant.partSize, grant.size);
	/** The upload offset of the first buffered byte (a part boundary; ahead of `partStart` while a part is written). */
	let next = partStart;
	const buffer = new PartBuffer();
	let restWritten = false;
	let ended = false;
	/** The body overran the upload: the whole PATCH is refused. */
	let refused = false;
	const end = async (offset: number) => {
		ended = true;
		return unwrap(
			await stub.tusEnd({
				uploadId: auth.uploadId,
				hold: grant.hold,
				offset,
				restWritten,
				refused: false,
			}),
		);
	};
	const overrun = () => {
		refused = true;
		return new ProblemError(
			problem("length-mismatch", "The PATCH carries more bytes than Upload-Length allows."),
		);
	};
	const overruns = (bytes: number) => next + buffer.size + bytes > grant.size;
	// One part is written while the next one is read (never more, so parts are recorded in
	// order and the offset never counts a part before the ones below it). The part that
	// reaches the upload's end waits for the body's end: a byte more refuses the PATCH.
	let inflight: Promise<void> = Promise.resolve();
	const flushReady = async (bodyEnded: boolean) => {
		for (;;) {
			const need = Math.min(grant.partSize, grant.size - next);
			if (need === 0 || buffer.size < need) return;
			if (next + need === grant.size && !bodyEnded) return;
			const bytes = buffer.take(need);
			const n = part;
			next += need;
			part++;
			await inflight;
			inflight = writePart(c, stub, auth, n, bytes).then(() => {
				partStart += need;
			});
			// Awaited before the next part and at the end; never left to reject unobserved.
			inflight.catch(() => undefined);
		}
	};
	try {
		if (declaredLength !== undefined && grant.offset + Number(declaredLength) > grant.size)
			throw overrun();
		if (grant.restSize > 0) {
			// The remainder the offset counts (its first restSize bytes: the offset is what counts).
			const rest = grant.restKey
				? await store.get(grant.restKey, { offset: 0, length: grant.restSize })
				: null;
			if (!rest || rest.size < grant.restSize) throw new ProblemError(storageProblem());
			buffer.push(new Uint8Array(await rest.arrayBuffer()).subarray(0, grant.restSize));
		}
		if (body instanceof Uint8Array) {
			if (overruns(body.byteLength)) throw overrun();
			buffer.push(body);
		} else {
			const reader = body.getReader();
			for (;;) {
				let chunk: ReadableStreamReadResult<Uint8Array>;
				try {
					chunk = await reader.read();
				} catch {
					break; // the client went away: keep what arrived
				}
				if (chunk.done) break;
				if (overruns(chunk.value.byteLength)) {
					await discardRest(reader);
					throw overrun();
				}
				buffer.push(chunk.value);
				await flushReady(false);
			}
		}
		await flushReady(true);
		await inflight;
		if (partStart === grant.size) {
			const finalize = await completeUpload(c, stub, auth);
			await end(grant.size);
			return { offset: grant.size, finalize };
		}
		let durable = partStart;
		if (buffer.size > 0) {
			const rest = buffer.take(buffer.size);
			const put = await store.put(grant.newRestKey, rest, null);
			if (!put.ok) throw new ProblemError(storageProblem());
			restWritten = true;
			durable += rest.byteLength;
		}
		return { offset: (await end(durable)).offset, finalize: null };
	} finally {
		// Never leave the upload held: what is durable is recorded, the hold released.
		if (!ended) {
			// A part still being written is recorded (or fails) before the hold is let go.
			await inflight.catch(() => undefined);
			await stub.tusEnd({
				uploadId: auth.uploadId,
				hold: grant.hold,
				offset: refused ? grant.offset : partStart,
				restWritten,
				refused,
			});
		}
	}
}

/**
 * Whether a PATCH is exactly the next part, starting on a part boundary with
 * no remainder before it and a Content-Length that fits the part: then its
 * body goes to R2 as is, with no JavaScript on the byte path (as a native
 * part does), instead of being cut in memory.
 */
function isWholePart(
	grant: TusGrant,
	body: ReadableStream<Uint8Array> | Uint8Array,
	declared: string | undefined,
): boolean {
	if (body instanceof Uint8Array || grant.restSize > 0 || declared === undefined) return false;
	const partStart = (grant.nextPart - 1) * grant.partSize;
	return (
		Number(declared) === Math.min(grant.partSize, grant.size - partStart) && Number(declared) > 0
	);
}

/** The fast path of `isWholePart`: one part, admitted, streamed, recorded; completes the upload when it is the last. */
async function writeWholePart(
	c: Context<AppEnv>,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
	grant: TusGrant,
	body: ReadableStream<Uint8Array>,
): Promise<PatchResult> {
	const n = grant.nextPart;
	const partStart = (n - 1) * grant.partSize;
	let ended = false;
	try {
		const write = unwrap(await stub.admitWrite({ ...auth, op: "part-put", partNumber: n }));
		const guarded = lengthChecked(body, String(write.expectedLength), write.expectedLength);
		const written = await filesStore(c.env).uploadPart(
			write.key,
			write.multipartId ?? "",
			n,
			guarded.stream,
		);
		const outcome = written.ok
			? { ok: true as const, etag: written.value, size: write.expectedLength }
			: { ok: false as const, reason: failedWriteReason(written.failure, guarded) };
		unwrap(
			await stub.recordWrite({ uploadId: auth.uploadId, op: "part-put", partNumber: n, outcome }),
		);
		const offset = partStart + write.expectedLength;
		if (offset === grant.size) {
			const finalize = await completeUpload(c, stub, auth);
			ended = true;
			unwrap(
				await stub.tusEnd({
					uploadId: auth.uploadId,
					hold: grant.hold,
					offset,
					restWritten: false,
					refused: false,
				}),
			);
			return { offset, finalize };
		}
		ended = true;
		return {
			offset: unwrap(
				await stub.tusEnd({
					uploadId: auth.uploadId,
					hold: grant.hold,
					offset,
					restWritten: false,
					refused: false,
				}),
			).offset,
			finalize: null,
		};
	} finally {
		if (!ended)
			await stub.tusEnd({
				uploadId: auth.uploadId,
				hold: grant.hold,
				offset: partStart,
				restWritten: false,
				refused: false,
			});
	}
}

/** An empty tus upload (Upload-Length 0) is written at creation: one empty object, admitted and recorded. */
export async function writeEmpty(
	c: Context<AppEnv>,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
) {
	const grant = unwrap(await stub.admitWrite({ ...auth, op: "single-put" }));
	const put = await filesStore(c.env).put(grant.key, new Uint8Array(0), null);
	const outcome = put.ok
		? { ok: true as const, ...put.value }
		: { ok: false as const, reason: failedWriteReason(put.failure, NO_BODY_FAULT) };
	unwrap(await stub.recordWrite({ uploadId: auth.uploadId, op: "single-put", outcome }));
}
