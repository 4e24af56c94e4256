import { ProblemError, problem } from "../../domain/problems";

/** `Idempotency-Key`: 1 to 255 visible ASCII characters; anything else is 400. */
export function idempotencyKeyOf(header: string | undefined): string | undefined {
	if (header === undefined) return undefined;
	if (!/^[\x21-\x7e]{1,255}$/.test(header))
		throw new ProblemError(problem("invalid-idempotency-key"));
	return header;
}
