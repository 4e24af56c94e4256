/** Reads of the D1 link index (the projection of every LinkDO). */
import { D1 } from "../storage/names";
import { type Cursor, keysetPage, page } from "./pagination";

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

type Row = {
	id: string;
	owner_id: string;
	title: string;
	state: string;
	epoch: number;
	closing: number;
	expires_at: string | null;
	created_at: string;
	updated_at: string;
};

export async function listLinks(
	db: D1Database,
	filter: { ownerId?: string; state?: string },
	cursor: Cursor | null,
	limit: number,
) {
	const results = await keysetPage<Row>(
		db,
		D1.links,
		{ owner_id: filter.ownerId, state: filter.state },
		cursor,
		limit,
	);
	return page(
		results.map(
			(r): LinkSummary => ({
				id: r.id,
				ownerId: r.owner_id,
				title: r.title,
				state: r.state,
				epoch: r.epoch,
				closing: r.closing === 1,
				expiresAt: r.expires_at,
				createdAt: r.created_at,
				updatedAt: r.updated_at,
			}),
		),
		limit,
	);
}
