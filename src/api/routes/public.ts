/**
 * `GET /r/:linkId`: what an uploader holding the `Link-Secret` may read of
 * the link (../http/link-secret.ts). The uploader surface is joined in
 * ../app.ts.
 * A browser opening the upload URL gets the uploader page instead, from
 * src/pages (mounted before the API, it answers navigations and passes the
 * rest on).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { LinkIdParam, PublicLink } from "../../contract/schemas";
import { unwrap } from "../../do/stub";
import { linkOf } from "../http/link-secret";
import { doc } from "../http/openapi";
import { valid } from "../http/validation";

export const publicLinks = new Hono<AppEnv>().get(
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
);
