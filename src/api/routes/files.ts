/**
 * Owner reads of what a link received: finalized files (from the D1 index)
 * and their bytes. Downloads are attachments with `nosniff`, with Range
 * support, never served as a script, style or worker (`notAsScript`); the link's DO is asked first, so a deleted link's files are gone
 * even while its cleanup is still running.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { FileIdParam } from "../../contract/schemas";
import type { FileRow } from "../../d1/files";
import * as FilesTable from "../../d1/files";
import { unwrap } from "../../do/stub";
import type { Caller } from "../../domain/actor";
import { downloadContentType } from "../../domain/downloads";
import { ProblemError, problem } from "../../domain/problems";
import { filesStore } from "../../storage/r2";
import { contentDisposition, notAsScript, parseRange } from "../http/downloads";
import { doc } from "../http/openapi";
import { problemResponse } from "../http/problem";
import { valid } from "../http/validation";
import { ownerOrAdmin } from "../middleware/auth";
import { stubFor } from "../middleware/do-calls";

function mayRead(caller: Caller, file: FileRow): boolean {
	return caller.kind === "admin" || caller.ownerId === file.ownerId;
}

export const files = new Hono<AppEnv>().use(notAsScript, ownerOrAdmin).get(
	"/:fileId/content",
	doc({
		summary: "Download a finalized file (attachment, nosniff, Range)",
		tags: ["files"],
		ok: { 200: null, 206: null },
		problems: [
			"unauthorized",
			"file-not-found",
			"link-deleted",
			"range-not-satisfiable",
			"download-destination-refused",
		],
	}),
	valid("param", FileIdParam),
	async (c) => {
		const file = await FilesTable.get(c.env.DB, c.req.valid("param").fileId);
		if (!file || !mayRead(c.var.caller, file)) throw new ProblemError(problem("file-not-found"));
		unwrap(await (await stubFor(c, file.linkId)).get(c.var.caller));
		const range = parseRange(c.req.header("range"), file.size);
		if (range.kind === "unsatisfiable") {
			return problemResponse(problem("range-not-satisfiable"), {
				"Content-Range": `bytes */${file.size}`,
			});
		}
		const object = await filesStore(c.env).get(
			file.r2Key,
			range.kind === "partial" ? { offset: range.offset, length: range.length } : undefined,
		);
		if (!object) throw new ProblemError(problem("file-not-found"));
		const headers = new Headers({
			"Content-Type": downloadContentType(file.type),
			"Content-Disposition": contentDisposition(file.name),
			"X-Content-Type-Options": "nosniff",
			"Content-Security-Policy": "default-src 'none'; sandbox",
			// Byte-exact: the runtime and Cloudflare's edge compress text-like types
			// unless told not to, which drops Content-Length and leaves a
			// Content-Range that no longer describes the bytes sent. `identity` is
			// what the runtime (and miniflare) honour; `no-transform` is what the
			// edge honours.
			"Cache-Control": "private, no-store, no-transform",
			"Content-Encoding": "identity",
			"Accept-Ranges": "bytes",
			ETag: object.httpEtag,
		});
		if (range.kind === "partial") {
			headers.set(
				"Content-Range",
				`bytes ${range.offset}-${range.offset + range.length - 1}/${file.size}`,
			);
			headers.set("Content-Length", String(range.length));
			return new Response(object.body, { status: 206, headers });
		}
		headers.set("Content-Length", String(file.size));
		return new Response(object.body, { status: 200, headers });
	},
);
