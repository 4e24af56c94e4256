/**
 * Headers and CSRF protection of every web page (docs/web.md): a strict
 * Content-Security-Policy (scripts and styles from this origin's built assets
 * only, `/assets/`, never another path of it such as a download of uploaded
 * bytes; connections to this origin only; no inline script, no third party),
 * no Referer ever sent (capability URLs must not leak), never framed, never
 * cached. State-changing requests
 * from pages are HTML forms: anything else is refused, and a form must come
 * from this origin (hono's csrf: Origin or Sec-Fetch-Site).
 */
import type { Context, MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "../app-env";

/**
 * Where the pages' built scripts and styles are served: scripts/build-web.ts
 * writes them to dist/public/assets/, served by Workers Static Assets
 * (wrangler.toml `[assets]`).
 */
export const ASSETS_PATH = "/assets/";

/**
 * This origin's assets path as a CSP source (`'self'` cannot name a path).
 * Workers and worklets fall back to `script-src`, so they are held to it too.
 */
const assetsOfThisOrigin = (c: Context) => `${new URL(c.req.url).origin}${ASSETS_PATH}`;

export const CONTENT_SECURITY_POLICY = {
	defaultSrc: ["'self'"],
	scriptSrc: [assetsOfThisOrigin],
	styleSrc: [assetsOfThisOrigin],
	imgSrc: ["'self'", "data:", "blob:"],
	connectSrc: ["'self'"],
	fontSrc: ["'self'"],
	objectSrc: ["'none'"],
	baseUri: ["'none'"],
	formAction: ["'self'"],
	frameAncestors: ["'none'"],
};

const headers = secureHeaders({
	contentSecurityPolicy: CONTENT_SECURITY_POLICY,
	referrerPolicy: "no-referrer",
	xFrameOptions: "DENY",
	crossOriginResourcePolicy: "same-origin",
	crossOriginOpenerPolicy: "same-origin",
	// Same-origin assets only; requiring CORP of them would add nothing.
	crossOriginEmbedderPolicy: false,
});

/** Security headers, and `Cache-Control: no-store` (pages show keys once, sessions, files). */
export const pageHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
	await headers(c, async () => {
		await next();
	});
	c.res.headers.set("Cache-Control", "no-store");
};

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i;
const SAFE = /^(GET|HEAD|OPTIONS)$/;
const sameOrigin = csrf();

/** Thrown for a state-changing page request that is not a same-origin form. */
export class CrossSiteRequest extends Error {}

/**
 * Every state-changing page request must be an HTML form (its content type
 * is one hono's csrf checks) sent from this origin; anything else is refused
 * before a handler runs.
 */
export const formsFromThisOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
	if (SAFE.test(c.req.method)) return next();
	if (!FORM_TYPES.test(c.req.header("content-type") ?? "")) throw new CrossSiteRequest();
	try {
		await sameOrigin(c, async () => {});
	} catch {
		throw new CrossSiteRequest();
	}
	return next();
};
