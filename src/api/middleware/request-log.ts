/**
 * One log line per request (`{"event":"request",...}`), for pages and API
 * alike: the request id (also answered as `X-Request-Id`), method, the route
 * pattern that answered (never the path itself: paths carry ids, not secrets,
 * but the pattern is what operators group by), status, duration, the link and
 * command ids when the route has them, and the Durable Object calls counted by
 * `countDoCalls`. Query strings, headers and bodies are never logged.
 */
import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "../../app-env";
import { errorField, logEvent } from "../../lib/log";

export const REQUEST_ID_HEADER = "X-Request-Id";

/** A fresh request id: 16 random bytes as 32 hex characters. */
export function newRequestId(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A route parameter is logged only when it has the exact shape of the id it
 * names: a path is the client's text, and a secret pasted into one (or a
 * hostile request's filler) must never reach the log.
 */
const ID_SHAPES = {
	linkId: /^lnk_[0-9a-z]{26}$/,
	uploadId: /^upl_[0-9a-z]{20}$/,
	commandId: /^cmd_[0-9a-z]{38}$/,
} as const;

const idOf = (kind: keyof typeof ID_SHAPES, value: string | undefined): string | undefined =>
	value !== undefined && ID_SHAPES[kind].test(value) ? value : undefined;

function routeParams(c: Context<AppEnv>): Record<string, string> {
	try {
		return c.req.param() as Record<string, string>;
	} catch {
		return {};
	}
}

export const requestLog: MiddlewareHandler<AppEnv> = async (c, next) => {
	const started = Date.now();
	const requestId = newRequestId();
	c.set("requestId", requestId);
	let status = 500;
	try {
		await next();
		status = c.res.status;
	} finally {
		const params = routeParams(c);
		const meter = c.get("doMeter");
		logEvent("request", {
			requestId,
			ray: c.req.header("cf-ray") ?? undefined,
			method: c.req.method,
			route: routePath(c) || undefined,
			status,
			durationMs: Date.now() - started,
			linkId: idOf("linkId", params.linkId),
			commandId: idOf("commandId", params.commandId) ?? c.get("commandId"),
			uploadId: idOf("uploadId", params.uploadId),
			doCalls: meter?.calls,
		});
	}
	try {
		c.res.headers.set(REQUEST_ID_HEADER, requestId);
	} catch {
		// A response with immutable headers (one fetched from elsewhere): copy it.
		c.res = new Response(c.res.body, c.res);
		c.res.headers.set(REQUEST_ID_HEADER, requestId);
	}
};

/** The log line of a request that ended in an unexpected error (`request.error`, `page.error`). */
export function logUnexpected(
	c: Context,
	event: "request.error" | "page.error",
	error: Error,
): void {
	logEvent(
		event,
		{
			requestId: c.get("requestId"),
			method: c.req.method,
			route: routePath(c) || undefined,
			error: errorField(error),
			stack: error.stack?.slice(0, 2000),
		},
		"error",
	);
}
