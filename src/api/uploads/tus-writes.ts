/**
 * Writing a tus PATCH body into the upload: cut into the upload's fixed part
 * size, every part admitted and recorded by the link's DO around its R2
 * write (the same fenced write as native parts, fenced-write.ts), what is
 * left below a part boundary kept as this PATCH's remainder object, and the
 * completion and finalize when the last byte arrives. The routes are in
 * tus.ts.
 */
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import type { LinkDO } from "../../do/link-do";
import type { TusGrant, UploadAuth } from "../../do/rpc";
import { unwrap } from "../../do/stub";
import { type Problem, ProblemError, problem } from "../../domain/problems";
import type { ObjectStore } from "../../storage/object-store";
import { filesStore } from "../../storage/r2";
import { discardRest } from "../http/body";
import { type WriteBody, writeToSession } from "./fenced-write";

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

/** Commits the multipart upload (a fenced write) and queues its finalize; the command id. */
async function completeUpload(
	store: ObjectStore,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
): Promise<string> {
	// A repeated completion writes nothing and still asks for the finalize.
	await writeToSession(store, stub, auth, { op: "complete" });
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
	const store = filesStore(c.env);
	if (isWholePart(grant, body, declaredLength))
		return writeWholePart(store, stub, auth, grant, {
			request: body as ReadableStream<Uint8Array>,
			declared: declaredLength,
		});
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
			// One full (or the last) part, from memory: a fenced write.
			const written = writeToSession(store, stub, auth, {
				op: "part-put",
				partNumber: n,
				body: bytes,
			});
			inflight = written.then(() => {
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
			const finalize = await completeUpload(store, stub, auth);
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

/**
 * The fast path of `isWholePart`: one part, a fenced write streamed as it
 * came; completes the upload when it is the last.
 */
async function writeWholePart(
	store: ObjectStore,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
	grant: TusGrant,
	body: WriteBody,
): Promise<PatchResult> {
	const n = grant.nextPart;
	const partStart = (n - 1) * grant.partSize;
	const end = (offset: number) =>
		stub.tusEnd({
			uploadId: auth.uploadId,
			hold: grant.hold,
			offset,
			restWritten: false,
			refused: false,
		});
	let ended = false;
	try {
		const { written } = await writeToSession(store, stub, auth, {
			op: "part-put",
			partNumber: n,
			body,
		});
		if (!written?.outcome.ok) throw new ProblemError(problem("internal-error"));
		const offset = partStart + written.outcome.size;
		const finalize = offset === grant.size ? await completeUpload(store, stub, auth) : null;
		ended = true;
		const held = unwrap(await end(offset));
		return { offset: finalize ? offset : held.offset, finalize };
	} finally {
		if (!ended) await end(partStart);
	}
}

/** An empty tus upload (Upload-Length 0) is written at creation: one empty object, fenced. */
export async function writeEmpty(
	c: Context<AppEnv>,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
): Promise<void> {
	await writeToSession(filesStore(c.env), stub, auth, {
		op: "single-put",
		body: new Uint8Array(0),
	});
}
