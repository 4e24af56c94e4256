/**
 * The web surfaces (docs/web.md): the landing page, the uploader page at the
 * upload URL (a navigation to `/r/:linkId`; anything else goes on to the
 * uploader API), the owner dashboard, the admin console, the API reference.
 */
import { Hono } from "hono";
import { countDoCalls } from "../api/middleware/do-calls";
import type { AppEnv } from "../app-env";
import { adminApp } from "./admin";
import { ownerApp } from "./app";
import { docsPages } from "./docs";
import { home } from "./home";
import { uploaderPage } from "./uploader";

export const pages = new Hono<AppEnv>()
	.route("/", home)
	.get("/r/:linkId", countDoCalls, uploaderPage)
	.route("/app", ownerApp)
	.route("/admin", adminApp)
	.route("/docs", docsPages);
