/**
 * Uploader routes, authorized by the capability token in the path. Every
 * response carries `Referrer-Policy: no-referrer` so the token does not leak
 * through the Referer header of a page that embeds it.
 */
import { Hono } from "hono";
import { unwrap } from "../do/stub";
import { ProblemError, problem } from "../domain/problems";
import { parseLinkToken } from "../lib/ids";
import type { AppEnv } from "./context";
import { stubFor } from "./do-calls";
import { doc } from "./docs";
import { LinkTokenParam, PublicLink } from "./schemas";
import { uploads } from "./uploads";
import { valid } from "./validation";

export const publicLinks = new Hono<AppEnv>()
	.use(async (c, next) => {
		await next();
		c.res.headers.set("Referrer-Policy", "no-referrer");
		c.res.headers.set("Cache-Control", "no-store");
	})
	.get(
		"/:linkToken",
		doc({
			summary: "Public link info for uploaders",
			tags: ["uploads"],
			security: "none",
			ok: { 200: PublicLink },
			problems: ["link-not-found", "link-revoked", "link-expired", "link-deleted"],
		}),
		valid("param", LinkTokenParam),
		async (c) => {
			const parsed = await parseLinkToken(c.req.valid("param").linkToken);
			if (!parsed) throw new ProblemError(problem("link-not-found"));
			const link = unwrap(await stubFor(c, parsed.linkId).publicInfo(parsed.secretHash));
			return c.json({ link });
		},
	)
	.route("/", uploads);
