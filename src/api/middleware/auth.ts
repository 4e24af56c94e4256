/**
 * Authentication. Owners present `Authorization: Bearer <api key>` (stored as a
 * SHA-256 hash in D1); admins present the ADMIN_TOKEN secret. Both are compared
 * timing-safe. The caller lands in `c.var.caller`.
 *
 * The web pages (src/pages) call this same API in-process for a signed-in
 * browser session: `envAs(env, caller)` makes an env object through which
 * the API sees that caller as authenticated. Only code inside the Worker can
 * make one (a request can never name it), so the JSON API still accepts
 * nothing but bearer credentials from the network.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../../app-env";
import * as OwnersTable from "../../d1/owners";
import type { Caller } from "../../domain/actor";
import { ProblemError, problem } from "../../domain/problems";
import { sha256Hex, timingSafeEqual } from "../../lib/crypto";

const pageCallers = new WeakMap<object, Caller>();

/** An env for an in-process API call on behalf of `caller` (a signed-in page session). */
export function envAs(env: Env, caller: Caller): Env {
	const scoped: Env = Object.create(env);
	pageCallers.set(scoped, caller);
	return scoped;
}

/** The caller an in-process page call carries, if this request is one. */
const pageCaller = (c: Context<AppEnv>): Caller | undefined => pageCallers.get(c.env);

function bearer(c: Context<AppEnv>): string | null {
	const header = c.req.header("authorization");
	const m = header ? /^Bearer\s+([\x21-\x7e]{1,512})$/i.exec(header.trim()) : null;
	return m?.[1] ?? null;
}

export async function isAdminToken(env: Env, token: string): Promise<boolean> {
	if (!env.ADMIN_TOKEN) return false;
	// Hash both sides so the comparison is between equal-length values.
	return timingSafeEqual(await sha256Hex(token), await sha256Hex(env.ADMIN_TOKEN));
}

export async function ownerForKey(env: Env, token: string): Promise<string | null> {
	if (!token.startsWith("rlk_")) return null;
	const hash = await sha256Hex(token);
	const key = await OwnersTable.ownerOfKey(env.DB, hash);
	return key && timingSafeEqual(key.keyHash, hash) ? key.ownerId : null;
}

const unauthorized = () =>
	new ProblemError(problem("unauthorized", "Send Authorization: Bearer <API key>."));

/** Owners and admins. */
export const ownerOrAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
	// Sub-apps sharing a prefix (/api/links, /api/webhooks) each run it; one lookup is enough.
	if (c.get("caller")) return next();
	const fromPage = pageCaller(c);
	if (fromPage) {
		c.set("caller", fromPage);
		return next();
	}
	const token = bearer(c);
	if (!token) throw unauthorized();
	if (await isAdminToken(c.env, token)) {
		c.set("caller", { kind: "admin" });
	} else {
		const ownerId = await ownerForKey(c.env, token);
		if (!ownerId) throw unauthorized();
		c.set("caller", { kind: "owner", ownerId });
	}
	await next();
};

/** Admins only; an owner key is 403, no credentials 401. */
export const adminOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
	const fromPage = pageCaller(c);
	if (fromPage) {
		if (fromPage.kind !== "admin")
			throw new ProblemError(problem("forbidden", "This needs the admin token."));
		c.set("caller", fromPage);
		return next();
	}
	const token = bearer(c);
	if (!token) throw unauthorized();
	if (!(await isAdminToken(c.env, token))) {
		if (await ownerForKey(c.env, token)) {
			throw new ProblemError(problem("forbidden", "This needs the admin token."));
		}
		throw unauthorized();
	}
	c.set("caller", { kind: "admin" });
	await next();
};
