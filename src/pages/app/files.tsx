/**
 * Downloads from the dashboard: `/app/files/:fileId/download` streams the
 * API's download route (`GET /api/files/:fileId/content`) as the session's
 * owner, with its headers (an attachment, `nosniff`, the sandboxing CSP that
 * index.tsx keeps, Range); `/app/links/:linkId/files.zip` streams the
 * link's "download all" ZIP (`GET /api/links/:linkId/files.zip`) the same
 * way. A problem is a page, like any other; a download loaded as a script,
 * style or worker is refused first (`notAsScript`, as the API's routes).
 */
import { Hono } from "hono";
import { notAsScript } from "../../api/http/downloads";
import type { AppEnv } from "../../app-env";
import { problemOf } from "../../client/problem";
import { apiFor } from "../api-client";
import { pathId } from "../ids";

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

/** The API's download answer as the browser's, with the headers of PASSED only. */
function passOn(res: Response): Response {
	const headers = new Headers();
	for (const name of PASSED) {
		const value = res.headers.get(name);
		if (value !== null) headers.set(name, value);
	}
	return new Response(res.body, { status: res.status, headers });
}

export const fileRoutes = new Hono<AppEnv>().get("/:fileId/download", notAsScript, async (c) => {
	const range = c.req.header("range");
	const res = await apiFor(c).downloadFileResponse(
		pathId(c, "fileId", "file"),
		range ? { Range: range } : {},
	);
	if (res.status !== 200 && res.status !== 206) throw await problemOf(res);
	return passOn(res);
});

/** Mounted under `/links`, before the link page. */
export const linkZipRoutes = new Hono<AppEnv>().get("/:linkId/files.zip", notAsScript, async (c) =>
	passOn(await apiFor(c).downloadZip(pathId(c, "linkId", "link"))),
);

/** Where the dashboard offers a link's "download all" ZIP. */
export const zipHref = (linkId: string) => `/app/links/${encodeURIComponent(linkId)}/files.zip`;
