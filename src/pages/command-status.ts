/**
 * `GET /app/commands/:commandId/status.json` and
 * `GET /admin/commands/:commandId/status.json`: what the live status badge of
 * a dashboard or console page polls (web/pages/live-command.ts), read
 * through the JSON API as the signed-in owner or admin:
 * `{ status, label, final, reason }` in the shared vocabulary
 * (src/client/vocabulary.ts). One route for both surfaces, mounted before
 * each surface's session redirect: a poll whose session ended gets a 401 and
 * every refusal answers JSON (`{ error, reason }`), never a page.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { ReceiveLinkError } from "../client/problem";
import { COMMAND_LABELS, commandExplanation, settledForDisplay } from "../client/vocabulary";
import type { CommandView } from "../contract";
import type { SessionKind } from "../d1/sessions";
import { apiFor } from "./api-client";
import { isIdOf } from "./ids";
import { wordsFor } from "./problems";
import { sessionCaller } from "./session";

/** The JSON a live badge reads: the status, its label, whether to stop, and why. */
export function liveStatus(c: CommandView) {
	return {
		status: c.status,
		label: COMMAND_LABELS[c.status],
		final: settledForDisplay(c.status),
		reason: commandExplanation(c),
	};
}

const refusal = (code: string, detail?: string) => ({
	error: code,
	reason: wordsFor(code, detail),
});

export function commandStatusRoute(kind: SessionKind) {
	return new Hono<AppEnv>().get("/:commandId/status.json", async (c) => {
		const caller = await sessionCaller(c, kind);
		if (!caller) return c.json(refusal("unauthorized"), 401);
		const commandId = c.req.param("commandId");
		if (!isIdOf("command", commandId)) return c.json(refusal("command-not-found"), 404);
		c.set("caller", caller);
		try {
			return c.json(liveStatus(await apiFor(c).getCommand(commandId)));
		} catch (error) {
			if (!(error instanceof ReceiveLinkError)) throw error;
			const status = error.status >= 400 && error.status < 500 ? error.status : 502;
			return c.json(refusal(error.code, error.problem.detail), status as 404);
		}
	});
}
