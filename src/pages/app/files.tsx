/**
 * Downloads from the dashboard: `/app/files/:fileId/download` streams the
 * API's download route (`GET /api/files/:fileId/content`) as the session's
 * owner, with its headers (an attachment, `nosniff`, the sandboxing CSP that
 * index.tsx keeps, Range). A problem is a page, like any other.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../api/context";
import { problemOf } from "../../client/problem";
import { apiFor } from "../api-client";

/** Headers of the API's answer a download passes on to the browser. */
const PASSED = [
	"content-type",
	"content-length",
	"content-range",
	"content-disposition",
	"content-encoding",
	"accept-ranges",
	"etag",
	"x-content-type-options",
	"content-security-policy",
	"cache-control",
];

export const fileRoutes = new Hono<AppEnv>().get("/:fileId/download", async (c) => {
	const range = c.req.header("range");
	const res = await apiFor(c).download(
		`/api/files/${encodeURIComponent(c.req.param("fileId"))}/content`,
		range ? { Range: range } : {},
	);
	if (res.status !== 200 && res.status !== 206) throw await problemOf(res);
	const headers = new Headers();
	for (const name of PASSED) {
		const value = res.headers.get(name);
		if (value !== null) headers.set(name, value);
	}
	return new Response(res.body, { status: res.status, headers });
});
