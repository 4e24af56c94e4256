/**
 * Browser sessions (docs/web.md). Signing in with an owner API key (the
 * dashboard) or the admin token (the console) opens a session: a random id in
 * an `HttpOnly; Secure; SameSite=Strict` cookie (`__Host-` prefixed, so no
 * other host or path can set it), stored only as its SHA-256 in D1, expiring
 * after SESSION_TTL_SECONDS. Sign-out revokes it; rotating the owner's key or
 * changing the admin token ends it too. The JSON API never reads the cookie.
 *
 * With Cloudflare Access configured (access.ts), the pages take their caller
 * from the request's Access assertion instead, on every request, and cookie
 * sessions are neither opened nor read.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { isAdminToken, ownerForKey } from "../api/middleware/auth";
import type { AppEnv } from "../app-env";
import type { SessionKind } from "../d1/sessions";
import * as Sessions from "../d1/sessions";
import type { Caller } from "../domain/actor";
import { randomSecret, sha256Hex } from "../lib/crypto";
import { ACCESS_HEADER, accessIdentity } from "./access";
import { accessRefusedPage } from "./access-refused";

/** Twelve hours: a working day, after which signing in again is asked. */
export const SESSION_TTL_SECONDS = 12 * 3600;

/** Cookie names without the `__Host-` prefix hono adds. */
const COOKIE: Record<SessionKind, string> = { owner: "rl-app", admin: "rl-admin" };
/** Where each kind signs in. */
export const SIGN_IN_PATH: Record<SessionKind, string> = {
	owner: "/app/sign-in",
	admin: "/admin/sign-in",
};

const cookieValue = (c: Context<AppEnv>, kind: SessionKind): string | undefined =>
	getCookie(c, COOKIE[kind], "host");

/**
 * Opens a session for the credential presented on a sign-in form, or answers
 * null when it is not a live owner API key (kind owner) or the admin token.
 */
export async function signIn(
	c: Context<AppEnv>,
	kind: SessionKind,
	credential: string,
): Promise<Caller | null> {
	const presented = credential.trim();
	if (!/^[\x21-\x7e]{1,512}$/.test(presented)) return null;
	let caller: Caller;
	if (kind === "admin") {
		if (!(await isAdminToken(c.env, presented))) return null;
		caller = { kind: "admin" };
	} else {
		const ownerId = await ownerForKey(c.env, presented);
		if (!ownerId) return null;
		caller = { kind: "owner", ownerId };
	}
	const id = randomSecret(32);
	const now = new Date();
	await Sessions.purgeExpired(c.env.DB, now.toISOString(), 100);
	await Sessions.insert(c.env.DB, {
		idHash: await sha256Hex(id),
		kind,
		ownerId: caller.kind === "owner" ? caller.ownerId : null,
		keyHash: await sha256Hex(presented),
		createdAt: now.toISOString(),
		expiresAt: new Date(now.getTime() + SESSION_TTL_SECONDS * 1000).toISOString(),
	});
	setCookie(c, COOKIE[kind], id, {
		prefix: "host",
		path: "/",
		httpOnly: true,
		secure: true,
		sameSite: "Strict",
		maxAge: SESSION_TTL_SECONDS,
	});
	return caller;
}

/**
 * The caller of this request: its Access identity when Access is on (null
 * when refused), else its live cookie session of `kind`, or null.
 */
export async function sessionCaller(c: Context<AppEnv>, kind: SessionKind): Promise<Caller | null> {
	const access = await accessIdentity(c.env, c.req.header(ACCESS_HEADER), kind);
	if (access.kind !== "off") return access.kind === "caller" ? access.caller : null;
	return cookieCaller(c, kind);
}

/** The caller of this request's live cookie session of `kind`, or null. */
async function cookieCaller(c: Context<AppEnv>, kind: SessionKind): Promise<Caller | null> {
	const id = cookieValue(c, kind);
	if (!id || !/^[A-Za-z0-9_-]{20,100}$/.test(id)) return null;
	const row = await Sessions.live(c.env.DB, await sha256Hex(id), kind, new Date().toISOString());
	if (!row) return null;
	if (row.kind === "admin") {
		// The admin token may have changed since: its hash must still match.
		return (await sha256Hex(c.env.ADMIN_TOKEN ?? "")) === row.keyHash && c.env.ADMIN_TOKEN
			? { kind: "admin" }
			: null;
	}
	return row.ownerId ? { kind: "owner", ownerId: row.ownerId } : null;
}

/** Revokes this request's session of `kind` (if any) and clears its cookie. */
export async function signOut(c: Context<AppEnv>, kind: SessionKind): Promise<void> {
	const id = cookieValue(c, kind);
	if (id) await Sessions.revoke(c.env.DB, await sha256Hex(id), new Date().toISOString());
	deleteCookie(c, COOKIE[kind], { prefix: "host", path: "/", secure: true });
}

/**
 * Pages that need a signed-in `kind`: the caller lands in `c.var.caller`.
 * Under Access, a request Access does not vouch for gets a page saying why
 * (401, 403 or 503). Otherwise, without a live session, a GET is sent to the
 * sign-in page (and back after), anything else to the sign-in page with a
 * note that the session ended.
 */
export function requireSession(kind: SessionKind): MiddlewareHandler<AppEnv> {
	return async (c, next) => {
		const access = await accessIdentity(c.env, c.req.header(ACCESS_HEADER), kind);
		if (access.kind === "refused") return accessRefusedPage(c, kind, access.refusal, access.email);
		if (access.kind === "caller") {
			c.set("caller", access.caller);
			return next();
		}
		const caller = await cookieCaller(c, kind);
		if (!caller) {
			const back = c.req.method === "GET" ? new URL(c.req.url).pathname : "";
			const query = back ? `?next=${encodeURIComponent(back)}` : "?ended=1";
			return c.redirect(`${SIGN_IN_PATH[kind]}${query}`, 303);
		}
		c.set("caller", caller);
		await next();
	};
}

/** Printable ASCII, no space: what a path as `requireSession` sends it (percent-encoded) is made of. */
const PATH_CHARACTERS = /^[\x21-\x7e]+$/;

/**
 * A `next=` target that stays on this site's `prefix` pages, else the prefix
 * itself. Anything but printable ASCII (a line break above all, which no
 * Location header can carry) falls back too: sign-in decides its target
 * before it writes a session, so such a target cannot fail the redirect
 * after the session row is stored.
 */
export function safeNext(next: string | undefined, prefix: "/app" | "/admin"): string {
	if (
		next &&
		PATH_CHARACTERS.test(next) &&
		(next === prefix || next.startsWith(`${prefix}/`)) &&
		!next.includes("//") &&
		!next.includes("\\")
	)
		return next;
	return prefix;
}
