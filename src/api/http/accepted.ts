/**
 * The answers that name a command: `202 Accepted` for every command-issuing
 * route (Location, Retry-After and a Retry-Token, header and body), and
 * where and how to poll one (docs/commands.md).
 */
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { isFinal } from "../../contract/enums";
import type { CommandView } from "../../do/rpc";
import { logEvent } from "../../lib/log";
import { signRetryToken } from "../../lib/retry-token";

function retryAfter(env: Env): number {
	const s = Number(env.COMMAND_RETRY_AFTER_SECONDS);
	return Number.isFinite(s) && s >= 0 ? s : 1;
}

export function setPollHeaders(c: Context<AppEnv>, command: CommandView) {
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
