/**
 * "Download all": `GET /api/links/:linkId/files.zip` streams a ZIP of a
 * link's finalized files straight from R2 with client-zip (no compression,
 * no temporary copy; ZIP64 when an entry or the archive passes 4 GiB).
 *
 * The link's DO is asked first, as for a single download: another owner's
 * link is 404, a deleted link 410 `link-deleted` (its files are gone even
 * while its cleanup runs); a revoked or expired link's files stay readable.
 * Then the D1 index is read once, page by page, into a snapshot of names and
 * sizes (entry names need every name before the first entry; the length
 * needs every size), from which `Content-Length` is predicted exactly. Each
 * R2 object is opened only when the archive reaches it, and its bytes flow
 * through; nothing is buffered whole.
 *
 * A file whose object is gone (or not of its indexed size) when the archive
 * reaches it errors the stream: the response ends short of its
 * `Content-Length` and without a central directory, so no client takes it
 * for a whole archive. A delete accepted during a download does the same
 * once its purge removes an object the archive has not reached yet.
 */
import { makeZip, predictLength } from "client-zip";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../app-env";
import { LinkIdParam } from "../../contract/schemas";
import * as FilesTable from "../../d1/files";
import type { Keyset } from "../../d1/keyset";
import { unwrap } from "../../do/stub";
import { ProblemError } from "../../domain/problems";
import { checkZipEntries, FALLBACK_ZIP_NAME, zipEntryName, zipEntryNames } from "../../domain/zip";
import { errorField, logEvent } from "../../lib/log";
import type { ObjectStore } from "../../storage/object-store";
import { filesStore } from "../../storage/r2";
import { contentDisposition, notAsScript } from "../http/downloads";
import { doc } from "../http/openapi";
import { valid } from "../http/validation";
import { ownerOrAdmin } from "../middleware/auth";
import { stubFor } from "../middleware/do-calls";

/** One file of the archive, as the snapshot of the D1 index has it. */
export interface ZipItem {
	/** The entry name: safe and unique (src/domain/zip.ts). */
	name: string;
	r2Key: string;
	size: number;
	lastModified: Date;
}

/** Rows read from D1 per query while taking the snapshot. */
const SNAPSHOT_PAGE = 500;

/**
 * The link's finalized files, oldest first (so the first of two equal names
 * keeps it and the later one is numbered), with their entry names.
 */
export async function zipSnapshot(db: D1Database, linkId: string): Promise<ZipItem[]> {
	const rows: Omit<ZipItem, "name">[] = [];
	const names: string[] = [];
	let after: Keyset | null = null;
	do {
		const page = await FilesTable.listForLink(db, linkId, after, SNAPSHOT_PAGE);
		for (const f of page.items) {
			rows.push({ r2Key: f.r2Key, size: f.size, lastModified: new Date(f.createdAt) });
			names.push(f.name);
		}
		after = page.next;
	} while (after);
	rows.reverse();
	const entryNames = zipEntryNames(names.reverse());
	return rows.map((row, i) => ({ ...row, name: entryNames[i] ?? FALLBACK_ZIP_NAME }));
}

/** Why the archive stopped: a file changed under it. The stream errors with this. */
export class ZipSourceError extends Error {
	override name = "ZipSourceError";
}

/**
 * The archive's entries, each R2 object opened only when client-zip asks
 * for the next entry (after the previous one's last byte).
 */
async function* entries(store: ObjectStore, items: readonly ZipItem[]) {
	for (const item of items) {
		const object = await store.get(item.r2Key);
		if (!object) throw new ZipSourceError(`"${item.name}" is no longer in storage`);
		if (object.size !== item.size) {
			throw new ZipSourceError(
				`"${item.name}" has ${object.size} bytes in storage, ${item.size} in the index`,
			);
		}
		yield { name: item.name, lastModified: item.lastModified, size: item.size, input: object.body };
	}
}

/** The archive's exact length: client-zip's prediction from names and sizes. */
export function zipLength(items: readonly ZipItem[]): number {
	return Number(predictLength(items.map((i) => ({ name: i.name, size: i.size }))));
}

/**
 * The archive as a stream of exactly `length` (`zipLength(items)`) bytes: a
 * `FixedLengthStream` sends `Content-Length` and errors the response if the
 * archive came out any other length.
 */
export function zipStream(
	store: ObjectStore,
	items: readonly ZipItem[],
	length: number,
): ReadableStream {
	const fixed = new FixedLengthStream(length);
	makeZip(entries(store, items))
		.pipeTo(fixed.writable)
		.catch((error: unknown) =>
			logEvent("zip.ended-early", { entries: items.length, error: errorField(error) }, "warn"),
		);
	return fixed.readable;
}

/** The archive's file name: the link's title, else its id. */
export function zipFileName(title: string, linkId: string): string {
	const name = zipEntryName(title);
	return `${name === FALLBACK_ZIP_NAME ? linkId : name}.zip`;
}

async function downloadAll(c: Context<AppEnv>, linkId: string): Promise<Response> {
	const link = unwrap(await (await stubFor(c, linkId)).get(c.var.caller));
	const count = (await FilesTable.totalsForLinks(c.env.DB, [linkId])).get(linkId)?.files ?? 0;
	const tooMany = checkZipEntries(count);
	if (tooMany) throw new ProblemError(tooMany);
	const items = await zipSnapshot(c.env.DB, linkId);
	const length = zipLength(items);
	return new Response(zipStream(filesStore(c.env), items, length), {
		headers: {
			"Content-Type": "application/zip",
			"Content-Length": String(length),
			"Content-Disposition": contentDisposition(zipFileName(link.settings.title, linkId)),
			"X-Content-Type-Options": "nosniff",
			"Content-Security-Policy": "default-src 'none'; sandbox",
			// Byte-exact, as single downloads (src/api/routes/files.ts): nothing may re-encode it.
			"Cache-Control": "private, no-store, no-transform",
			"Content-Encoding": "identity",
		},
	});
}

// ownerOrAdmin per route, not with use(): the link routes share the /api/links prefix.
export const linkZip = new Hono<AppEnv>().get(
	"/:linkId/files.zip",
	notAsScript,
	ownerOrAdmin,
	doc({
		summary: "Download all finalized files of a link as one ZIP (streamed from R2)",
		description:
			"A stored (uncompressed) ZIP, ZIP64 when needed, with an exact Content-Length. Entry names are the files' names made safe and unique (later duplicates become `name (2).ext`, ignoring case), oldest file first. Readable while the link is revoked or expired; 410 once it is deleted. A file that disappears from storage mid-download ends the stream early (the archive is then incomplete and unreadable, never silently wrong).",
		tags: ["files"],
		ok: { 200: null },
		problems: [
			"unauthorized",
			"link-not-found",
			"link-deleted",
			"zip-too-many-files",
			"validation-failed",
			"download-destination-refused",
		],
	}),
	valid("param", LinkIdParam),
	async (c) => downloadAll(c, c.req.valid("param").linkId),
);
