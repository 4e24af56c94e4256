/**
 * Uploader routes under /r/:linkId, authorized by the `Link-Secret` header
 * (see link-secret.ts). Every response carries `Referrer-Policy: no-referrer`
 * so the upload URL does not leak through the Referer header of a page.
 * A browser opening the upload URL gets the uploader page instead, from
 * src/pages (mounted before the API, it answers navigations and passes the
 * rest on).
 */
import { Hono } from "hono";
import { LinkIdParam, PublicLink } from "../contract/schemas";
import { unwrap } from "../do/stub";
import type { AppEnv } from "./context";
import { doc } from "./docs";
import { linkOf } from "./link-secret";
import { small } from "./small";
import { tus } from "./tus";
import { uploads } from "./uploads";
import { valid } from "./validation";

export const publicLinks = new Hono<AppEnv>()
	.use(async (c, next) => {
		await next();
		c.res.headers.set("Referrer-Policy", "no-referrer");
		c.res.headers.set("Cache-Control", "no-store");
	})
	.get(
		"/:linkId",
		doc({
			summary: "Public link info for uploaders",
			tags: ["uploads"],
			security: "link",
			ok: { 200: PublicLink },
			problems: ["link-not-found", "link-revoked", "link-expired", "link-deleted"],
		}),
		valid("param", LinkIdParam),
		async (c) => {
			const { stub, secretHash } = await linkOf(c, c.req.valid("param").linkId);
			const link = unwrap(await stub.publicInfo(secretHash));
			return c.json({ link });
		},
	)
	.route("/", uploads)
	.route("/", small)
	.route("/", tus);
