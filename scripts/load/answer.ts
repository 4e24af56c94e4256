// Owner and admin calls whose status the load test judges: a typed call's
// result or its problem, as one value.
import { ReceiveLinkError } from "../../src/client/index.ts";
import { describe, type LiveLink, type RunState } from "./state.ts";

export interface Answer<T> {
	status: number;
	value: T | null;
	code: string;
	detail: string;
}

/** `call`'s value with `okStatus`, or the status and code of the problem it threw. */
export async function answer<T>(call: Promise<T>, okStatus = 200): Promise<Answer<T>> {
	try {
		return { status: okStatus, value: await call, code: "", detail: "" };
	} catch (error) {
		if (!(error instanceof ReceiveLinkError)) throw error;
		return { status: error.status, value: null, code: error.code, detail: error.problem.detail };
	}
}

/** A status outside `allowed` is a violation; true when allowed. */
export function expectStatus(
	run: RunState,
	what: string,
	a: Answer<unknown>,
	allowed: readonly number[],
	L?: LiveLink,
): boolean {
	if (allowed.includes(a.status)) return true;
	run.violation(
		`${what} on ${L ? describe(L) : "-"} answered ${a.status} ${a.code} ${a.detail}`.trim(),
	);
	return false;
}
