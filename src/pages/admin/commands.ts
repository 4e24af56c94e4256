/**
 * GET /admin/commands/:commandId/status.json: what the live status element
 * of a console page polls (web/pages/live-command.ts), read through the JSON
 * API as the admin: `{ status, label, final, reason }`. Problems answer as
 * JSON too (the script stops on a 404), never as a page.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { ReceiveLinkError } from "../../client/problem";
import { apiFor } from "../api-client";
import { isIdOf } from "../ids";
import { wordsFor } from "../words";
import { liveStatus } from "./words";

export const commandStatus = new Hono<AppEnv>().get("/:commandId/status.json", async (c) => {
	const commandId = c.req.param("commandId");
	if (!isIdOf("command", commandId))
		return c.json({ error: "command-not-found", reason: wordsFor("command-not-found") }, 404);
	try {
		const command = await apiFor(c).getCommand(commandId);
		return c.json(liveStatus(command));
	} catch (error) {
		if (!(error instanceof ReceiveLinkError)) throw error;
		return c.json(
			{ error: error.code, reason: wordsFor(error.code, error.problem.detail) },
			error.status as 404,
		);
	}
});
