/**
 * The owner dashboard's pages behind a live owner session, one module each:
 * the links list, a new link, a link's page and what it can do, its settings,
 * commands, and downloads. The new-link page is /app/new, not /links/new: a
 * static segment beside `/links/:linkId` would push Hono off its RegExpRouter
 * for every request (test/api/router.test.ts).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { commandPages } from "./commands";
import { createRoutes } from "./create";
import { fileRoutes, linkZipRoutes } from "./files";
import { lifecycleRoutes } from "./lifecycle";
import { linkRoutes } from "./link";
import { linksList } from "./list";
import { settingsRoutes } from "./settings";
import { webhookRoutes } from "./webhooks";

export const dashboard = new Hono<AppEnv>()
	.route("/", linksList)
	.route("/", createRoutes)
	.route("/links", lifecycleRoutes)
	.route("/links", settingsRoutes)
	.route("/links", linkZipRoutes)
	.route("/links", linkRoutes)
	.route("/commands", commandPages)
	.route("/files", fileRoutes)
	.route("/webhooks", webhookRoutes);
