/** @jsxImportSource hono/jsx */
/**
 * The admin console at /admin: sign-in and sign-out with the admin token
 * (sign-in.tsx), the live command status JSON (its own session check: a poll
 * gets 401, not the sign-in page), then every page behind a live admin
 * session (console.tsx).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { commandStatusRoute } from "../command-status";
import { pageErrors, pageNotFound } from "../errors";
import { formsFromThisOrigin, pageHeaders } from "../security";
import { requireSession } from "../session";
import { signInRoutes } from "../sign-in";
import { adminConsole } from "./console";

export const adminApp = new Hono<AppEnv>()
	.use(pageHeaders, formsFromThisOrigin)
	.route("/", signInRoutes("admin"))
	.route("/commands", commandStatusRoute("admin"))
	.use(requireSession("admin"))
	.route("/", adminConsole)
	.notFound(pageNotFound("admin"))
	.onError(pageErrors("admin"));
