/** The errors both clients throw: an RFC 9457 problem answered by the service. */

/** An RFC 9457 problem answered by the service. */
import type { WireProblem } from "./types.ts";

/** An RFC 9457 problem answered by the service (the contract's shape, plus code-specific members). */
export type ProblemBody = WireProblem & { [extra: string]: unknown };

export class ReceiveLinkError extends Error {
	// A plain field, not a parameter property: Node's type stripping runs this file as is.
	readonly problem: ProblemBody;

	constructor(problem: ProblemBody) {
		super(`${problem.status} ${problem.code}: ${problem.detail}`);
		this.name = "ReceiveLinkError";
		this.problem = problem;
	}
	get status(): number {
		return this.problem.status;
	}
	get code(): string {
		return this.problem.code;
	}
}

/** The link (or upload) is gone for good: revoked, expired, deleted or aborted. Do not retry. */
export class LinkGoneError extends ReceiveLinkError {
	override name = "LinkGoneError";
}

/** The problem of a failed answer (a placeholder problem when the body is not one). */
export async function problemOf(res: Response): Promise<ReceiveLinkError> {
	let body: ProblemBody;
	try {
		body = (await res.json()) as ProblemBody;
	} catch {
		body = {
			type: "about:blank",
			title: res.statusText,
			status: res.status,
			detail: res.statusText,
			code: "unknown",
		};
	}
	return new ReceiveLinkError(body);
}
