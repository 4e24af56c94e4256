/**
 * The one place where problems become HTTP responses (RFC 9457,
 * application/problem+json). Unknown errors become a generic 500 problem;
 * no stack trace or internal message ever leaks.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { type Problem, ProblemError, problem } from "../../domain/problems";
import { logUnexpected } from "../middleware/request-log";

export const PROBLEM_TYPE_BASE = "/docs/problems#";

export function problemResponse(p: Problem, headers: HeadersInit = {}): Response {
	const body = {
		type: `${PROBLEM_TYPE_BASE}${p.code}`,
		title: p.title,
		status: p.status,
		detail: p.detail,
		code: p.code,
		...(p.epoch !== undefined ? { epoch: p.epoch } : {}),
		...(p.retryable !== undefined ? { retryable: p.retryable } : {}),
		...(p.retryAfter !== undefined ? { retryAfter: p.retryAfter } : {}),
		...p.extra,
	};
	const h = new Headers(headers);
	h.set("Content-Type", "application/problem+json");
	h.set("Cache-Control", "no-store");
	if (p.retryAfter !== undefined) h.set("Retry-After", String(p.retryAfter));
	return new Response(JSON.stringify(body), { status: p.status, headers: h });
}

/** Hono's onError: ProblemError as is; Hono's own 4xx mapped to codes; anything else a 500. */
export function onError(error: Error, c: Context): Response {
	if (error instanceof ProblemError) return problemResponse(error.problem);
	if (error instanceof HTTPException && error.status < 500) {
		if (error.status === 413) return problemResponse(problem("payload-too-large"));
		if (error.status === 401) return problemResponse(problem("unauthorized"));
		return problemResponse(problem("validation-failed", error.message));
	}
	logUnexpected(c, "request.error", error);
	return problemResponse(problem("internal-error", "An unexpected error occurred."));
}

export function notFound(c: Context): Response {
	return problemResponse(problem("not-found", `No route for ${c.req.method} ${c.req.path}.`));
}
