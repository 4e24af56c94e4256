/**
 * The D1 `reconciler_cursors` table: where each of the scheduled
 * reconciler's passes stopped (the last link id it looked at), so the next
 * run carries on from there. Written only by src/reconciler.
 */
import { D1 } from "../storage/names";

/** The id the pass `name` stopped after ("" to start from the beginning). */
export async function cursorOf(db: D1Database, name: string): Promise<string> {
	const r = await db
		.prepare(`SELECT after_id FROM ${D1.reconcilerCursors} WHERE name = ?`)
		.bind(name)
		.first<{ after_id: string }>();
	return r?.after_id ?? "";
}

export async function saveCursor(db: D1Database, name: string, afterId: string): Promise<void> {
	await db
		.prepare(
			`INSERT INTO ${D1.reconcilerCursors} (name, after_id, updated_at) VALUES (?1, ?2, ?3)
			 ON CONFLICT (name) DO UPDATE SET after_id = ?2, updated_at = ?3`,
		)
		.bind(name, afterId, new Date().toISOString())
		.run();
}
