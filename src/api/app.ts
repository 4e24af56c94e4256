/** The HTTP API: one sub-app per resource. */
import { Hono } from "hono";
import { generateSpecs } from "hono-openapi";
import { admin } from "./admin";
import { commands } from "./commands";
import type { AppEnv } from "./context";
import { deadLetters } from "./dead-letters";
import { countDoCalls } from "./do-calls";
import { openApiDocumentation } from "./docs";
import { files } from "./files";
import { health } from "./health";
import { links } from "./links";
import { publicLinks } from "./public";
import { webhookDeliveries } from "./webhook-deliveries";
import { webhooks } from "./webhooks";
import { linkZip } from "./zip";

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
	.route("/r", publicLinks);

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
