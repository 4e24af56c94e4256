/**
 * Keyset pagination over (created_at DESC, id DESC), the order of every D1
 * listing (each listed table has an index in that order). Only the table
 * modules in src/d1 call it; cursors on the wire are the api's business
 * (src/api/http/pagination.ts encodes a `Keyset`).
 */

/** The position after which a page starts: the last row of the previous page. */
export interface Keyset {
	createdAt: string;
	id: string;
}

/** A page of rows and where the next one starts (null: this is the last page). */
export interface Page<T> {
	items: T[];
	next: Keyset | null;
}

/**
 * One page of `table` filtered by column equality (an undefined value is no
 * filter). `table` is a table name or a derived table (`(SELECT …) AS name`)
 * whose rows have `created_at` and `id`. Fetches `limit + 1` rows to tell
 * whether there is more.
 */
export async function keysetPage<Row, T extends Keyset>(
	db: D1Database,
	table: string,
	filters: Record<string, string | undefined>,
	after: Keyset | null,
	limit: number,
	fromRow: (row: Row) => T,
): Promise<Page<T>> {
	const where: string[] = [];
	const params: string[] = [];
	for (const [column, value] of Object.entries(filters)) {
		if (value === undefined) continue;
		where.push(`${column} = ?`);
		params.push(value);
	}
	if (after) {
		where.push("(created_at < ? OR (created_at = ? AND id < ?))");
		params.push(after.createdAt, after.createdAt, after.id);
	}
	const { results } = await db
		.prepare(
			`SELECT * FROM ${table} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
			 ORDER BY created_at DESC, id DESC LIMIT ?`,
		)
		.bind(...params, limit + 1)
		.all<Row>();
	const items = results.slice(0, limit).map(fromRow);
	const last = items[items.length - 1];
	return {
		items,
		next: results.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null,
	};
}
