/**
 * The D1 `links` row is a projection of the LinkDO's state, for listings.
 * Writes carry the link row's `version` and only ever move the projection
 * forward, so a late or repeated write cannot roll it back.
 */
import { D1 } from "../storage/names";
import type { LinkView } from "./rpc";

export async function projectLink(db: D1Database, view: LinkView, version: number): Promise<void> {
	await db
		.prepare(
			`INSERT INTO ${D1.links} (id, owner_id, title, state, epoch, closing, expires_at, version, created_at, updated_at)
			 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
			 ON CONFLICT (id) DO UPDATE SET title = ?3, state = ?4, epoch = ?5, closing = ?6,
				expires_at = ?7, version = ?8, updated_at = ?10
			 WHERE excluded.version > ${D1.links}.version`,
		)
		.bind(
			view.id,
			view.ownerId,
			view.settings.title,
			view.state,
			view.epoch,
			view.closing ? 1 : 0,
			view.settings.expiresAt,
			version,
			view.createdAt,
			view.updatedAt,
		)
		.run();
}
