/**
 * The HTTP API: one sub-app per resource (routes/), joined here and nowhere
 * else; routes share helpers (http/), middleware (middleware/) and the
 * upload operations (uploads/), never each other.
 */
import { Hono } from "hono";
import { generateSpecs } from "hono-openapi";
import type { AppEnv } from "../app-env";
import { openApiDocumentation } from "./http/openapi";
import { countDoCalls } from "./middleware/do-calls";
import { admin } from "./routes/admin";
import { commands } from "./routes/commands";
import { deadLetters } from "./routes/dead-letters";
import { files } from "./routes/files";
import { health } from "./routes/health";
import { links } from "./routes/links";
import { publicLinks } from "./routes/public";
import { small } from "./routes/small";
import { tus } from "./routes/tus";
import { uploads } from "./routes/uploads";
import { webhookDeliveries } from "./routes/webhook-deliveries";
import { webhooks } from "./routes/webhooks";
import { linkZip } from "./routes/zip";

/**
 * The uploader surface under /r: every answer carries `Referrer-Policy:
 * no-referrer` (the upload URL must not leak through a Referer) and
 * `Cache-Control: no-store`.
 */
const uploaderApi = new Hono<AppEnv>()
	.use(async (c, next) => {
		await next();
		c.res.headers.set("Referrer-Policy", "no-referrer");
		c.res.headers.set("Cache-Control", "no-store");
	})
	.route("/", publicLinks)
	.route("/", uploads)
	.route("/", small)
	.route("/", tus);

export const api = new Hono<AppEnv>()
	.use(countDoCalls)
	.route("/api/links", links)
	.route("/api/links", linkZip)
	.route("/api/commands", commands)
	.route("/api/files", files)
	.route("/api/webhooks", webhooks)
	.route("/api/webhooks", webhookDeliveries)
	.route("/api/admin/dead-letters", deadLetters)
	.route("/api/admin", admin)
	.route("/r", uploaderApi);

/**
 * The OpenAPI document of the API (also written to dist/openapi.json by
 * scripts/openapi.ts for `npm run lint:openapi`).
 */
export const openApiDocument = () => generateSpecs(api, openApiDocumentation);

/**
 * The API with its machine-readable document (the web pages, the HTML
 * reference at /docs among them, are composed with it in src/app.ts).
 */
export const service = new Hono<AppEnv>()
	.route("/", api)
	.route("/", health)
	.get("/openapi.json", async (c) => c.json(await openApiDocument()));
