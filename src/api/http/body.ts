/**
 * Streaming a request body into R2 with its length enforced: the body must
 * have exactly `expected` bytes. A short, long or broken body makes the R2
 * write fail (R2 writes are all-or-nothing), and the guard records which
 * fault of the body it was, so an R2 failure is not mistaken for one.
 */
import type { WriteFailure } from "../../domain/fence";
import type { ObjectBody, StoreFailure } from "../../storage/object-store";

export type BodyFault = "short" | "long" | "broken";

export interface GuardedBody {
	stream: ObjectBody;
	/** The body's own fault, if it had one (null: the body was fine so far). */
	fault: () => BodyFault | null;
	/** Whether the runtime, not the guard, enforces the length (a Content-Length body). */
	framed?: boolean;
}

/**
 * The body to write. With a Content-Length equal to the expected length (the
 * caller has checked), HTTP framing already guarantees the length: the body
 * goes to R2 as is, with no JavaScript on the byte path (the guard costs about
 * 40% of throughput on 8 MiB parts, see BENCHMARKS.md). Without one (a chunked
 * body), the guard enforces it.
 */
export function lengthChecked(
	body: ReadableStream<Uint8Array> | null,
	declared: string | undefined,
	expected: number,
): GuardedBody {
	if (declared === undefined) return guardLength(body, expected);
	return { stream: body ?? "", fault: () => null, framed: true };
}

export function guardLength(
	body: ReadableStream<Uint8Array> | null,
	expected: number,
): GuardedBody {
	const reader = (body ?? new Blob([]).stream()).getReader();
	let seen = 0;
	let fault: BodyFault | null = null;
	// The newest chunk is held back until the next one (or the end) arrives: R2 commits as soon
	// as it has `expected` bytes, so the chunk that completes the length may only pass once the
	// body is known to end there. Otherwise a body with excess bytes would still be stored.
	let held: Uint8Array | null = null;
	const guarded = new ReadableStream<Uint8Array>({
		async pull(controller) {
			let chunk: ReadableStreamReadResult<Uint8Array>;
			try {
				chunk = await reader.read();
			} catch (error) {
				fault = "broken";
				controller.error(error);
				return;
			}
			if (chunk.done) {
				if (seen !== expected) {
					fault = "short";
					controller.error(new Error(`body shorter than declared (${seen} of ${expected} bytes)`));
					return;
				}
				if (held) controller.enqueue(held);
				controller.close();
				return;
			}
			seen += chunk.value.byteLength;
			if (seen > expected) {
				fault = "long";
				await discardRest(reader);
				controller.error(new Error(`body longer than declared (${expected} bytes)`));
				return;
			}
			if (held) controller.enqueue(held);
			held = chunk.value;
		},
		async cancel(reason) {
			await reader.cancel(reason).catch(() => undefined);
		},
	});
	// FixedLengthStream gives R2 the known length it needs for a streamed body. The pipe's own
	// rejection is expected whenever the body is refused; R2's write reports it.
	const fixed = new FixedLengthStream(expected);
	guarded.pipeTo(fixed.writable).catch(() => undefined);
	return { stream: fixed.readable, fault: () => fault };
}

/**
 * Reads what is left of a refused body and drops it, so the refusal is the
 * answer the client gets: a body cancelled mid-stream makes `wrangler dev`'s
 * proxy answer 500 instead. The platform's request size limit bounds the
 * read; a body that breaks off ends it.
 */
export async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
	try {
		while (!(await reader.read()).done);
	} catch {
		// The client went away: nothing is left to read.
	}
}

/**
 * Why a write of this body failed, as the record call is told: the body's own
 * length fault first, else what the object store said (the fence's table,
 * src/domain/fence.ts, says what the uploader gets). A length failure the
 * runtime reported is the body's only when the runtime enforced the length
 * (a framed body that ended early: the client went away); for a guarded body
 * the guard knows, so one it did not see is the store's. A write with no body
 * (a complete) has no fault of its own.
 */
export function writeFailureOf(failure: StoreFailure, guarded: GuardedBody | null): WriteFailure {
	if (!guarded) return failure;
	if (guarded.fault() || (failure === "length-mismatch" && guarded.framed)) return "body-length";
	return failure;
}
