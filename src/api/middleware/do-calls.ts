/**
 * Durable Object calls per request, counted and reported in `Server-Timing`
 * (`do;desc="2 calls";dur=…`). The upload hot path promises exactly one DO
 * call before and one after each R2 write; this makes that observable in
 * tests, benchmarks and production traces.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../../app-env";
import type { LinkDO } from "../../do/link-do";
import { linkStub } from "../../do/stub";
import { ProblemError, problem } from "../../domain/problems";
import { isAuthenticLinkId } from "../../lib/ids";

/** Counts a request's DO calls once, wherever it is mounted first (the pages' upload URL route, the API). */
export const countDoCalls: MiddlewareHandler<AppEnv> = async (c, next) => {
	if (c.get("doMeter")) return next();
	const meter = { calls: 0, ms: 0 };
	c.set("doMeter", meter);
	await next();
	c.res.headers.append(
		"Server-Timing",
		`do;desc="${meter.calls} calls";dur=${meter.ms.toFixed(1)}`,
	);
};

/**
 * The link's DO stub, with every RPC counted against the request. A link id
 * that does not carry a valid MAC is `404 link-not-found` here, at the edge:
 * a forged or mistyped id never instantiates a Durable Object.
 */
export async function stubFor(
	c: Context<AppEnv>,
	linkId: string,
): Promise<DurableObjectStub<LinkDO>> {
	if (!(await isAuthenticLinkId(c.env.LINK_ID_SECRET, linkId)))
		throw new ProblemError(problem("link-not-found"));
	const stub = linkStub(c.env, linkId);
	const meter = c.get("doMeter");
	if (!meter) return stub;
	return new Proxy(stub, {
		get(target, prop) {
			const value = Reflect.get(target, prop);
			if (typeof value !== "function") return value;
			return async (...args: unknown[]) => {
				meter.calls++;
				const started = performance.now();
				try {
					// RPC methods are callables bound to their stub (`.apply` would be an RPC call).
					return await (value as (...a: unknown[]) => Promise<unknown>)(...args);
				} finally {
					meter.ms += performance.now() - started;
				}
			};
		},
	});
}
