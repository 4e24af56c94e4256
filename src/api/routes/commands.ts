import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../../app-env";
import { CommandResponse } from "../../contract/schemas";
import { unwrap } from "../../do/stub";
import { ProblemError, problem } from "../../domain/problems";
import { isAuthenticLinkId, linkIdOfCommand } from "../../lib/ids";
import { verifyRetryToken } from "../../lib/retry-token";
import { setPollHeaders } from "../http/accepted";
import { doc } from "../http/openapi";
import { valid } from "../http/validation";
import { ownerOrAdmin } from "../middleware/auth";
import { stubFor } from "../middleware/do-calls";

const CommandIdParam = v.object({ commandId: v.pipe(v.string(), v.maxLength(64)) });

export const commands = new Hono<AppEnv>().get(
	"/:commandId",
	doc({
		summary: "Poll a command (owner, admin, or Retry-Token); Retry-After while not final",
		tags: ["commands"],
		ok: { 200: CommandResponse },
		problems: ["unauthorized", "retry-token-invalid", "command-not-found"],
	}),
	valid("param", CommandIdParam),
	async (c, next) => {
		const token = c.req.header("retry-token");
		if (token === undefined) return ownerOrAdmin(c, next);
		const { commandId } = c.req.valid("param");
		if (!(await verifyRetryToken(c.env.RETRY_TOKEN_SECRET, token, commandId))) {
			throw new ProblemError(problem("retry-token-invalid"));
		}
		await next();
	},
	async (c) => {
		const { commandId } = c.req.valid("param");
		const linkId = linkIdOfCommand(commandId);
		// A command id whose link part is forged names no command (and reaches no DO).
		if (!linkId || !(await isAuthenticLinkId(c.env.LINK_ID_SECRET, linkId)))
			throw new ProblemError(problem("command-not-found"));
		const caller = c.get("caller") ?? null;
		const command = unwrap(await (await stubFor(c, linkId)).getCommand(caller, commandId));
		setPollHeaders(c, command);
		return c.json({ command });
	},
);
