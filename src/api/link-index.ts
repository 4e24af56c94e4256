/** Reads of the D1 link index (the projection of every LinkDO). */
import { D1 } from "../storage/names";
import { type Cursor, page } from "./pagination";

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
	const where: string[] = [];
	const params: (string | number)[] = [];
	if (filter.ownerId !== undefined) {
		where.push("owner_id = ?");
		params.push(filter.ownerId);
	}
	if (filter.state !== undefined) {
		where.push("state = ?");
		params.push(filter.state);
	}
	if (cursor) {
		where.push("(created_at < ? OR (created_at = ? AND id < ?))");
		params.push(cursor.createdAt, cursor.createdAt, cursor.id);
	}
	const sql = `SELECT * FROM ${D1.links} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
		ORDER BY created_at DESC, id DESC LIMIT ?`;
	const { results } = await db
		.prepare(sql)
		.bind(...params, limit + 1)
		.all<Row>();
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
