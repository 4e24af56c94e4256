/**
 * The owner dashboard at /app: sign-in and sign-out (sign-in.tsx), the live
 * command status JSON (its own session check: a poll gets 401, not the
 * sign-in page), then every page behind a live owner session (dashboard.tsx).
 */
import { Hono, type MiddlewareHandler } from "hono";
import type { AppEnv } from "../../app-env";
import { commandStatusRoute } from "../command-status";
import { pageErrors, pageNotFound } from "../errors";
import { formsFromThisOrigin, pageHeaders } from "../security";
import { requireSession } from "../session";
import { signInRoutes } from "../sign-in";
import { dashboard } from "./dashboard";

/**
 * A download (an attachment) keeps the sandboxing policy the API's download
 * route gives file bytes (src/api/routes/files.ts), which pageHeaders replaces with
 * the pages' policy.
 */
const downloadsStaySandboxed: MiddlewareHandler<AppEnv> = async (c, next) => {
	await next();
	if (/^attachment/i.test(c.res.headers.get("content-disposition") ?? ""))
		c.res.headers.set("Content-Security-Policy", "default-src 'none'; sandbox");
};

export const ownerApp = new Hono<AppEnv>()
	.use(downloadsStaySandboxed, pageHeaders, formsFromThisOrigin)
	.route("/", signInRoutes("owner"))
	.route("/commands", commandStatusRoute("owner"))
	.use(requireSession("owner"))
	.route("/", dashboard)
	.notFound(pageNotFound("app"))
	.onError(pageErrors("app"));
