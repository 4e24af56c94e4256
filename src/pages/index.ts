/** The web surfaces (docs/web.md): the landing page, the owner dashboard, the admin console, the API reference. The uploader page is served at the upload URL by api/public.ts. */
import { Hono } from "hono";
import type { AppEnv } from "../api/context";
import { adminApp } from "./admin";
import { ownerApp } from "./app";
import { docsPages } from "./docs";
import { home } from "./home";

export const pages = new Hono<AppEnv>()
	.route("/", home)
	.route("/app", ownerApp)
	.route("/admin", adminApp)
	.route("/docs", docsPages);
