/**
 * Owner reads of what a link received: finalized files (from the D1 index)
 * and their bytes. Downloads are attachments with `nosniff`, with Range
 * support, never served as a script, style or worker (`notAsScript`); the link's DO is asked first, so a deleted link's files are gone
 * even while its cleanup is still running.
 */
import { type Context, Hono } from "hono";
import { FileIdParam } from "../contract/schemas";
import type { FileRow } from "../d1/files";
import * as FilesTable from "../d1/files";
import { unwrap } from "../do/stub";
import type { Caller } from "../domain/actor";
import { downloadContentType } from "../domain/downloads";
import { ProblemError, problem } from "../domain/problems";
import { filesStore } from "../storage/r2";
import { ownerOrAdmin } from "./auth";
import type { AppEnv } from "./context";
import { stubFor } from "./do-calls";
import { doc } from "./docs";
import { contentDisposition, notAsScript, parseRange } from "./http";
import { decodeCursor, wirePage } from "./pagination";
import { problemResponse } from "./problem";
import { valid } from "./validation";

export function fileItem(f: FileRow) {
	return {
		id: f.id,
		linkId: f.linkId,
		uploadId: f.uploadId,
		name: f.name,
		size: f.size,
		type: f.type,
		sha256: f.sha256,
		uploaderName: f.uploaderName,
		uploaderEmail: f.uploaderEmail,
		finalizedEpoch: f.finalizedEpoch,
		createdAt: f.createdAt,
		downloadUrl: `/api/files/${f.id}/content`,
	};
}

/** One page of a link's files, after the DO confirmed the caller may read the link. */
export async function filesOfLink(
	c: Context<AppEnv>,
	linkId: string,
	limit: number,
	cursor: string | undefined,
) {
	unwrap(await (await stubFor(c, linkId)).get(c.var.caller));
	const found = await FilesTable.listForLink(c.env.DB, linkId, decodeCursor(cursor), limit);
	return wirePage({ items: found.items.map(fileItem), next: found.next });
}

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
