/**
 * The D1 `links` table: the projection of every LinkDO, for listings. Writes
 * carry the DO row's `version` and only ever move a row forward, so a late
 * or repeated write cannot roll it back.
 */
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

/** Upserts the link's row as of the DO row's `version`; an older version changes nothing. */
export async function upsert(db: D1Database, link: ProjectedLink, version: number): Promise<void> {
	await db
		.prepare(
			`INSERT INTO ${D1.links} (id, owner_id, title, state, epoch, closing, expires_at, version, created_at, updated_at)
			 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
			 ON CONFLICT (id) DO UPDATE SET title = ?3, state = ?4, epoch = ?5, closing = ?6,
				expires_at = ?7, version = ?8, updated_at = ?10
			 WHERE excluded.version > ${D1.links}.version`,
		)
		.bind(
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
		)
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
