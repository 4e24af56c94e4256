/** One page of a keyset listing read with one row more than `limit`. */
export function pageOf<Row, Item, Cursor>(
	rows: readonly Row[],
	limit: number,
	view: (row: Row) => Item,
	cursorOf: (last: Item) => Cursor,
): { items: Item[]; nextCursor: Cursor | null } {
	const items = rows.slice(0, limit).map(view);
	const last = items[items.length - 1];
	return { items, nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}
