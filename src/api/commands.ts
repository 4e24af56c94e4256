/**
 * Command status: `GET /api/commands/:commandId` for the link's owner, an
 * admin, or anyone presenting that command's Retry-Token. Also the one
 * builder of `202 Accepted` answers for every command-issuing route.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import * as v from "valibot";
import { isFinal } from "../contract/enums";
import { CommandResponse } from "../contract/schemas";
import type { CommandView } from "../do/rpc";
import { unwrap } from "../do/stub";
import { ProblemError, problem } from "../domain/problems";
import { isAuthenticLinkId, linkIdOfCommand } from "../lib/ids";
import { logEvent } from "../lib/log";
import { signRetryToken, verifyRetryToken } from "../lib/retry-token";
import { ownerOrAdmin } from "./auth";
import type { AppEnv } from "./context";
import { stubFor } from "./do-calls";
import { doc } from "./docs";
import { valid } from "./validation";

function retryAfter(env: Env): number {
	const s = Number(env.COMMAND_RETRY_AFTER_SECONDS);
	return Number.isFinite(s) && s >= 0 ? s : 1;
}

function setPollHeaders(c: Context<AppEnv>, command: CommandView) {
	c.header("Cache-Control", "no-store");
	if (!isFinal(command.status)) c.header("Retry-After", String(retryAfter(c.env)));
}

/** Where to poll a command, and the Retry-Token that lets anyone holding it poll. */
export async function pollOf(
	env: Env,
	commandId: string,
): Promise<{ statusUrl: string; retryToken: string | null }> {
	const ttl = Number(env.RETRY_TOKEN_TTL_SECONDS) || 86_400;
	// The command is accepted already: a missing secret must not turn that into an error.
	const retryToken = env.RETRY_TOKEN_SECRET
		? await signRetryToken(env.RETRY_TOKEN_SECRET, commandId, ttl)
		: null;
	if (!retryToken) logEvent("retry-token.unavailable", { commandId }, "error");
	return { statusUrl: `/api/commands/${commandId}`, retryToken };
}

/**
 * `202 Accepted` with Location, Retry-After and a Retry-Token (header and
 * body); `more` adds members to the body (a one-request upload's upload).
 */
export async function accepted(
	c: Context<AppEnv>,
	command: CommandView,
	more: Record<string, unknown> = {},
): Promise<Response> {
	const { statusUrl, retryToken } = await pollOf(c.env, command.id);
	c.set("commandId", command.id);
	c.header("Location", statusUrl);
	c.header("Retry-After", String(retryAfter(c.env)));
	if (retryToken) c.header("Retry-Token", retryToken);
	c.header("Cache-Control", "no-store");
	return c.json({ command, statusUrl, retryToken, ...more }, 202);
}

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
