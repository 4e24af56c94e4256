/**
 * The pages of D1 listings that several routes answer: a page of links with
 * their received files and bytes (owners' and admins' link lists), a link's
 * files (the links route; downloads name each file's content URL).
 */
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import type { FileRow } from "../../d1/files";
import * as FilesTable from "../../d1/files";
import * as LinksTable from "../../d1/links";
import { unwrap } from "../../do/stub";
import { stubFor } from "../middleware/do-calls";
import { DEFAULT_PAGE, decodeCursor, wirePage } from "./pagination";

/**
 * One page of the D1 link index, as the list routes answer it, with each
 * link's received files and bytes from the D1 file index (one grouped query
 * for the page, no Durable Object call per row).
 */
export async function linkPage(
	db: D1Database,
	filter: LinksTable.LinkFilter,
	query: { limit?: number | undefined; cursor?: string | undefined },
) {
	const page = await LinksTable.list(
		db,
		filter,
		decodeCursor(query.cursor),
		query.limit ?? DEFAULT_PAGE,
	);
	const totals = await FilesTable.totalsForLinks(
		db,
		page.items.map((l) => l.id),
	);
	return wirePage({
		items: page.items.map((l) => ({ ...l, ...(totals.get(l.id) ?? { files: 0, bytes: 0 }) })),
		next: page.next,
	});
}

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
