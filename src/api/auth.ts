/**
 * Authentication. Owners present `Authorization: Bearer <api key>` (stored as a
 * SHA-256 hash in D1); admins present the ADMIN_TOKEN secret. Both are compared
 * timing-safe. The caller lands in `c.var.caller`.
 */
import type { Context, MiddlewareHandler } from "hono";
import * as OwnersTable from "../d1/owners";
import { ProblemError, problem } from "../domain/problems";
import { sha256Hex, timingSafeEqual } from "../lib/crypto";
import type { AppEnv } from "./context";

function bearer(c: Context<AppEnv>): string | null {
	const header = c.req.header("authorization");
	const m = header ? /^Bearer\s+([\x21-\x7e]{1,512})$/i.exec(header.trim()) : null;
	return m?.[1] ?? null;
}

async function isAdminToken(env: Env, token: string): Promise<boolean> {
	if (!env.ADMIN_TOKEN) return false;
	// Hash both sides so the comparison is between equal-length values.
	return timingSafeEqual(await sha256Hex(token), await sha256Hex(env.ADMIN_TOKEN));
}

async function ownerForKey(env: Env, token: string): Promise<string | null> {
	if (!token.startsWith("rlk_")) return null;
	const hash = await sha256Hex(token);
	const key = await OwnersTable.ownerOfKey(env.DB, hash);
	return key && timingSafeEqual(key.keyHash, hash) ? key.ownerId : null;
}

const unauthorized = () =>
	new ProblemError(problem("unauthorized", "Send Authorization: Bearer <API key>."));

/** Owners and admins. */
export const ownerOrAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
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
