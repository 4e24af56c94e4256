/** The origin of the URLs the API hands out (src/domain/origin.ts says why not the Host header). */
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { publicOriginOf } from "../../domain/origin";
import { ProblemError, problem } from "../../domain/problems";

/** `PUBLIC_ORIGIN`, or the request's own origin on loopback; else 503 `public-origin-unset`. */
export function publicOrigin(c: Context<AppEnv>): string {
	const origin = publicOriginOf(c.env.PUBLIC_ORIGIN, c.req.url);
	if (origin === null)
		throw new ProblemError(
			problem(
				"public-origin-unset",
				"Set PUBLIC_ORIGIN to the origin uploaders reach this service at (docs/deploy.md).",
			),
		);
	return origin;
}
