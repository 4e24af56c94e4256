/**
 * The queue message: only a "drain link X" signal. The DO applies its own log
 * in seq order, so duplicates, reorderings and lost sends change nothing.
 */
import * as v from "valibot";

export const CommandMessage = v.strictObject({
	v: v.literal(1),
	linkId: v.pipe(v.string(), v.regex(/^lnk_[0-9a-z]{26}$/)),
	commandId: v.pipe(v.string(), v.regex(/^cmd_[0-9a-z]{38}$/)),
	seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
});
export type CommandMessage = v.InferOutput<typeof CommandMessage>;
