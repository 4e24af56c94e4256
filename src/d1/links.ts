/**
 * The D1 `links` table: the projection of every LinkDO, for listings. Writes
 * carry the DO row's `version` and only ever move a row forward, so a late
 * or repeated write cannot roll it back.
 */
import type { LinkState } from "../contract/enums";
import { D1 } from "../storage/names";
import { type Keyset, keysetPage, type Page } from "./keyset";

/** A link as listings show it. */
export interface LinkSummary {
	id: string;
	ownerId: string;
	title: string;
	state: string;
	epoch: number;
	closing: boolean;
	expiresAt: string | null;
	createdAt: string;
	updatedAt: string;
}

/** What a projection is written from (the DO's `LinkView` has this shape). */
export interface ProjectedLink {
	id: string;
	ownerId: string;
	state: string;
	epoch: number;
	closing: boolean;
	settings: { title: string; expiresAt: string | null };
	createdAt: string;
	updatedAt: string;
}

type Row = {
	id: string;
	owner_id: string;
	title: string;
	state: string;
	epoch: number;
	closing: number;
	expires_at: string | null;
	version: number;
	created_at: string;
	updated_at: string;
};

const summaryOf = (r: Row): LinkSummary => ({
	id: r.id,
	ownerId: r.owner_id,
	title: r.title,
	state: r.state,
	epoch: r.epoch,
	closing: r.closing === 1,
	expiresAt: r.expires_at,
	createdAt: r.created_at,
	updatedAt: r.updated_at,
});

/** The columns a projection writes, and their parameters ?1 to ?10 (`rowOf`). */
const COLUMNS =
	"(id, owner_id, title, state, epoch, closing, expires_at, version, created_at, updated_at)";
const VALUES = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10";

/** The values of COLUMNS for `link` at `version`. */
function rowOf(link: ProjectedLink, version: number) {
	return [
		link.id,
		link.ownerId,
		link.settings.title,
		link.state,
		link.epoch,
		link.closing ? 1 : 0,
		link.settings.expiresAt,
		version,
		link.createdAt,
		link.updatedAt,
	];
}

/** Upserts the link's row as of the DO row's `version`; an older version changes nothing. */
export async function upsert(db: D1Database, link: ProjectedLink, version: number): Promise<void> {
	await write(db, link, version, ">");
}

/**
 * Inserts a new link's row while its owner holds fewer than `cap` links
 * that are not deleted; whether it did. One statement, so links created at
 * the same time cannot pass the cap together.
 */
export async function insertUnderCap(
	db: D1Database,
	link: ProjectedLink,
	version: number,
	cap: number,
): Promise<boolean> {
	const res = await db
		.prepare(
			`INSERT INTO ${D1.links} ${COLUMNS}
			 SELECT ${VALUES}
			 WHERE (SELECT COUNT(*) FROM ${D1.links} WHERE owner_id = ?2 AND state != 'deleted') < ?11`,
		)
		.bind(...rowOf(link, version), cap)
		.run();
	return res.meta.changes === 1;
}

/** The one statement of `upsert` (newer versions only) and `repair` (the same version too). */
async function write(
	db: D1Database,
	link: ProjectedLink,
	version: number,
	over: ">" | ">=",
): Promise<void> {
	await db
		.prepare(
			`INSERT INTO ${D1.links} ${COLUMNS}
			 VALUES (${VALUES})
			 ON CONFLICT (id) DO UPDATE SET title = ?3, state = ?4, epoch = ?5, closing = ?6,
				expires_at = ?7, version = ?8, updated_at = ?10,
				swept = CASE WHEN ${D1.links}.state = ?4 THEN ${D1.links}.swept ELSE 0 END
			 WHERE excluded.version ${over} ${D1.links}.version`,
		)
		.bind(...rowOf(link, version))
		.run();
}

/** One page of links, newest first, optionally of one owner and/or in one state. */
/** Which links a listing shows: one owner's, or (admins) every link, optionally in one state. */
export interface LinkFilter {
	ownerId?: string;
	state?: string;
}

export function list(
	db: D1Database,
	filter: LinkFilter,
	after: Keyset | null,
	limit: number,
): Promise<Page<LinkSummary>> {
	return keysetPage(
		db,
		D1.links,
		{ owner_id: filter.ownerId, state: filter.state },
		after,
		limit,
		summaryOf,
	);
}

/**
 * The number of links of the owner whose id is `ownerIdSql` (a column of the
 * enclosing query), as a scalar subquery: owner listings compose it into
 * their query (a covering scan of `links_by_owner`).
 */
export const linkCountSql = (ownerIdSql: string): string =>
	`(SELECT COUNT(*) FROM ${D1.links} WHERE ${D1.links}.owner_id = ${ownerIdSql})`;

/** The projected state and epoch of one link (for the audit), or null when it has no row. */
export async function projectionOf(
	db: D1Database,
	id: string,
): Promise<{ state: string; epoch: number } | null> {
	return db
		.prepare(`SELECT state, epoch FROM ${D1.links} WHERE id = ?`)
		.bind(id)
		.first<{ state: string; epoch: number }>();
}

/** The columns the reconciler compares with the DO's projection. */
export interface ProjectionRow {
	state: string;
	epoch: number;
	closing: boolean;
	title: string;
	expiresAt: string | null;
	version: number;
	swept: boolean;
}

/** The projection row of one link as the reconciler reads it, or null when it has none. */
export async function projectionRow(db: D1Database, id: string): Promise<ProjectionRow | null> {
	const r = await db
		.prepare(
			`SELECT state, epoch, closing, title, expires_at, version, swept FROM ${D1.links} WHERE id = ?`,
		)
		.bind(id)
		.first<
			Pick<Row, "state" | "epoch" | "closing" | "title" | "expires_at" | "version"> & {
				swept: number;
			}
		>();
	return r
		? {
				state: r.state,
				epoch: r.epoch,
				closing: r.closing === 1,
				title: r.title,
				expiresAt: r.expires_at,
				version: r.version,
				swept: r.swept === 1,
			}
		: null;
}

/**
 * The reconciler's repair: writes the DO's projection even at the row's own
 * version (a drifted row at the same version would refuse `upsert`), never
 * over a newer one.
 */
export async function repair(db: D1Database, link: ProjectedLink, version: number): Promise<void> {
	await write(db, link, version, ">=");
}

/** Records that the link's DO reported it swept (terminal, nothing left); `false` re-opens it. */
export async function markSwept(
	db: D1Database,
	id: string,
	swept: boolean,
	state: LinkState,
): Promise<void> {
	// Only while the row still has the state the DO reported: a revoked link swept
	// and deleted since must stay in the attention pass for its delete's cleanup.
	await db
		.prepare(`UPDATE ${D1.links} SET swept = ? WHERE id = ? AND state = ?`)
		.bind(swept ? 1 : 0, id, state)
		.run();
}

/**
 * Up to `limit` link ids after `afterId` in id order: with `attention`, only
 * links that need the reconciler (closing, or terminal and not swept; the
 * `links_reconcile` index), else every link.
 */
export async function idsAfter(
	db: D1Database,
	afterId: string,
	limit: number,
	attention: boolean,
): Promise<string[]> {
	const where = attention
		? "AND (closing = 1 OR (state IN ('revoked', 'expired', 'deleted') AND swept = 0))"
		: "";
	const r = await db
		.prepare(`SELECT id FROM ${D1.links} WHERE id > ? ${where} ORDER BY id LIMIT ?`)
		.bind(afterId, limit)
		.all<{ id: string }>();
	return r.results.map((x) => x.id);
}
