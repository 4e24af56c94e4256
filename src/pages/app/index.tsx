/** @jsxImportSource hono/jsx */
/**
 * The owner dashboard at /app: sign-in and sign-out (sign-in.tsx), then
 * every page behind a live owner session (dashboard.tsx).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../api/context";
import { pageErrors, pageNotFound } from "../errors";
import { formsFromThisOrigin, pageHeaders } from "../security";
import { requireSession } from "../session";
import { signInRoutes } from "../sign-in";
import { dashboard } from "./dashboard";

export const ownerApp = new Hono<AppEnv>()
	.use(pageHeaders, formsFromThisOrigin)
	.route("/", signInRoutes("owner"))
	.use(requireSession("owner"))
	.route("/", dashboard)
	.notFound(pageNotFound("app"))
	.onError(pageErrors("app"));
