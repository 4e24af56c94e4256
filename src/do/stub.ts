/** Reaching a link's Durable Object from the edge, and unwrapping its answers. */

import type { Problem, Result } from "../domain/problems";
import { ProblemError, problem } from "../domain/problems";
import { isLinkId } from "../lib/ids";
import type { LinkDO } from "./link-do";

/** The stub of `linkId`'s LinkDO; a malformed id is `404 link-not-found` without a DO call. */
export function linkStub(env: Env, linkId: string): DurableObjectStub<LinkDO> {
	if (!isLinkId(linkId)) throw new ProblemError(problem("link-not-found"));
	const ns = env.LINK_DO as DurableObjectNamespace<LinkDO>;
	return ns.get(ns.idFromName(linkId));
}

/** The value of a DO result, or its problem thrown for the edge to render. */
export function unwrap<T>(
	result: Result<T> | { ok: false; problem: Problem } | { ok: true; value: T },
): T {
	if (!result.ok) throw new ProblemError(result.problem);
	return result.value;
}

/**
 * The probe object GET /readyz pings: named outside the link id space (link
 * ids start with `lnk_`), so it never holds a link; `ping` writes nothing.
 */
export function probeStub(env: Env): DurableObjectStub<LinkDO> {
	const ns = env.LINK_DO as DurableObjectNamespace<LinkDO>;
	return ns.get(ns.idFromName("health-probe"));
}
