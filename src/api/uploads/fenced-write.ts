/**
 * The one fenced write (docs/lifecycle.md#admit-and-record-around-every-r2-write):
 * the link's DO admits it, the granted bytes go to the object store, the DO
 * records it whatever happened to the write. Every upload protocol writes
 * through `fencedWrite`: the native single PUT, parts and complete, tus
 * parts (streamed or cut in memory), completion and empty file, and the
 * one-request small file. Exactly one DO call before the write and one after;
 * what the uploader is told for each outcome is the fence's table
 * (src/domain/fence.ts), looked up by the DO.
 */
import type { LinkDO } from "../../do/link-do";
import type { UploadAuth, UploadView, WriteGrant, WriteOp, WriteOutcome } from "../../do/rpc";
import { unwrap } from "../../do/stub";
import type { ObjectStore } from "../../storage/object-store";
import { type GuardedBody, lengthChecked, writeFailureOf } from "../http/body";

/** The two DO calls around a write: how a protocol admits it and records it. */
export interface Fence<A, R> {
	/** The admit call (a refusal is thrown): its answer carries the grant. */
	admit(): Promise<A>;
	/** The grant an admit answered, or null: nothing to write (a repeated complete, a replay). */
	grantOf(admitted: A): WriteGrant | null;
	/** The record call, made whatever happened to the write (a refusal is thrown). */
	record(outcome: WriteOutcome): Promise<R>;
	/** Keeps the write and its record running should the client go away mid-body (`waitUntil`). */
	keepAlive?(work: Promise<unknown>): void;
}

/** What a write sends: a request body with its declared Content-Length, or bytes in memory. */
export type WriteBody =
	| { request: ReadableStream<Uint8Array> | null; declared: string | undefined }
	| Uint8Array;

/** The write a grant is for. */
export type FencedOp =
	| { op: "single-put"; body: WriteBody }
	| { op: "part-put"; partNumber: number; body: WriteBody }
	| { op: "complete" };

/** The admit's answer, and what was written and recorded (null: nothing to write). */
export interface Fenced<A, R> {
	admitted: A;
	written: { outcome: WriteOutcome; recorded: R } | null;
}

/** Admit, write, record: the one shape of every write an uploader causes. */
export async function fencedWrite<A, R>(
	store: ObjectStore,
	write: FencedOp,
	fence: Fence<A, R>,
): Promise<Fenced<A, R>> {
	const admitted = await fence.admit();
	const grant = fence.grantOf(admitted);
	if (!grant) return { admitted, written: null };
	const work = writeGranted(store, grant, write).then(async (outcome) => ({
		outcome,
		recorded: await fence.record(outcome),
	}));
	fence.keepAlive?.(work.catch(() => undefined));
	return { admitted, written: await work };
}

/**
 * The fence of a session's write: `admitWrite` and `recordWrite` (the native
 * API and tus). A repeated complete has nothing to write.
 */
export function sessionFence(
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
	write: FencedOp,
): Fence<WriteGrant, UploadView> {
	const op: WriteOp = write.op;
	const part = write.op === "part-put" ? { partNumber: write.partNumber } : {};
	return {
		admit: async () => unwrap(await stub.admitWrite({ ...auth, op, ...part })),
		grantOf: (grant) => (grant.alreadyCompleted ? null : grant),
		record: async (outcome) =>
			unwrap(await stub.recordWrite({ uploadId: auth.uploadId, op, ...part, outcome })),
	};
}

/** A session's fenced write (see `sessionFence`). */
export function writeToSession(
	store: ObjectStore,
	stub: DurableObjectStub<LinkDO>,
	auth: UploadAuth,
	write: FencedOp,
): Promise<Fenced<WriteGrant, UploadView>> {
	return fencedWrite(store, write, sessionFence(stub, auth, write));
}

/** The granted write, its failure told as the body's own fault or the store's. */
async function writeGranted(
	store: ObjectStore,
	grant: WriteGrant,
	write: FencedOp,
): Promise<WriteOutcome> {
	if (write.op === "complete") {
		const done = await store.completeMultipart(grant.key, grant.multipartId ?? "", grant.parts);
		return done.ok
			? { ok: true, ...done.value }
			: { ok: false, reason: writeFailureOf(done.failure, null) };
	}
	const body = bodyOf(write.body, grant.expectedLength);
	// A declared length other than the grant's: refused before anything is written.
	if (!body) return { ok: false, reason: "body-length" };
	if (write.op === "single-put") {
		const put = await store.put(grant.key, body.guarded.stream, grant.sha256);
		return put.ok
			? { ok: true, ...put.value }
			: { ok: false, reason: writeFailureOf(put.failure, body.guarded) };
	}
	const part = await store.uploadPart(
		grant.key,
		grant.multipartId ?? "",
		write.partNumber,
		body.guarded.stream,
	);
	return part.ok
		? { ok: true, etag: part.value, size: body.length }
		: { ok: false, reason: writeFailureOf(part.failure, body.guarded) };
}

/**
 * The body to send for `expected` bytes, or null when its Content-Length
 * says otherwise. Bytes in memory have their length and no fault of their
 * own; a request body is length-guarded (`lengthChecked`).
 */
function bodyOf(
	body: WriteBody,
	expected: number,
): { guarded: GuardedBody; length: number } | null {
	if (body instanceof Uint8Array)
		return { guarded: { stream: body, fault: () => null, framed: true }, length: body.byteLength };
	if (body.declared !== undefined && Number(body.declared) !== expected) return null;
	return { guarded: lengthChecked(body.request, body.declared, expected), length: expected };
}
