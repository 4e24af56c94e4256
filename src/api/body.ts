/**
 * Streaming a request body into R2 with its length enforced: the body must
 * have exactly `expected` bytes. A short, long or broken body makes the R2
 * write fail (R2 writes are all-or-nothing), and the guard says which it was.
 */
export interface GuardedBody {
	stream: ReadableStream<Uint8Array>;
	/** Bytes seen so far; after the write, tells a length fault from a storage fault. */
	seen: () => number;
}

export function guardLength(
	body: ReadableStream<Uint8Array> | null,
	expected: number,
): GuardedBody {
	let seen = 0;
	// The newest chunk is held back until the next one (or the end) arrives: R2 commits as soon
	// as it has `expected` bytes, so the chunk that completes the length may only pass once the
	// body is known to end there. Otherwise a body with excess bytes would still be stored.
	let held: Uint8Array | null = null;
	const guard = new TransformStream<Uint8Array, Uint8Array>({
		transform(chunk, controller) {
			seen += chunk.byteLength;
			if (seen > expected) {
				controller.error(new Error("body longer than declared"));
				return;
			}
			if (held) controller.enqueue(held);
			held = chunk;
		},
		flush(controller) {
			if (seen !== expected) controller.error(new Error("body shorter than declared"));
			else if (held) controller.enqueue(held);
		},
	});
	const source = body ?? new Blob([]).stream();
	// FixedLengthStream gives R2 the known length it needs for a streamed body.
	const stream = source.pipeThrough(guard).pipeThrough(new FixedLengthStream(expected));
	return { stream, seen: () => seen };
}

/** Classifies a failed R2 write. */
export function writeFailure(
	error: unknown,
	guarded: GuardedBody,
	expected: number,
): "length" | "checksum" | "storage" | "gone" {
	const text = String(error);
	if (guarded.seen() !== expected) return "length";
	if (/NoSuchUpload/i.test(text)) return "gone";
	if (/sha-?256|checksum|digest/i.test(text)) return "checksum";
	if (/length|shorter|longer/i.test(text)) return "length";
	return "storage";
}
