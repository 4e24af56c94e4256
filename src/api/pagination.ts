/** Keyset pagination over (created_at DESC, id DESC); cursors are opaque base64url. */
import { ProblemError, problem } from "../domain/problems";
import { base64url, fromBase64url } from "../lib/crypto";

export const DEFAULT_PAGE = 50;

export interface Cursor {
	createdAt: string;
	id: string;
}

export function encodeCursor(c: Cursor): string {
	return base64url(new TextEncoder().encode(JSON.stringify([c.createdAt, c.id])));
}

/** Decodes a cursor; anything malformed is `400 invalid-cursor`. */
export function decodeCursor(text: string | undefined): Cursor | null {
	if (text === undefined) return null;
	const bytes = fromBase64url(text);
	try {
		const parsed: unknown = bytes && JSON.parse(new TextDecoder().decode(bytes));
		if (
			Array.isArray(parsed) &&
			parsed.length === 2 &&
			typeof parsed[0] === "string" &&
			typeof parsed[1] === "string"
		) {
			return { createdAt: parsed[0], id: parsed[1] };
		}
	} catch {
		// fall through
	}
	throw new ProblemError(problem("invalid-cursor"));
}

/** Cuts a page of `limit + 1` rows into items and the next cursor. */
export function page<T extends { createdAt: string; id: string }>(
	rows: T[],
	limit: number,
): { items: T[]; nextCursor: string | null } {
	const items = rows.slice(0, limit);
	const last = items[items.length - 1];
	return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/**
 * One page of a D1 table in (created_at DESC, id DESC) order, filtered by
 * column equality: the query every list endpoint runs. Fetches `limit + 1`
 * rows so `page()` can tell whether there is more.
 */
export async function keysetPage<Row>(
	db: D1Database,
	table: string,
	filters: Record<string, string | undefined>,
	cursor: Cursor | null,
	limit: number,
): Promise<Row[]> {
	const where: string[] = [];
	const params: string[] = [];
	for (const [column, value] of Object.entries(filters)) {
		if (value === undefined) continue;
		where.push(`${column} = ?`);
		params.push(value);
	}
	if (cursor) {
		where.push("(created_at < ? OR (created_at = ? AND id < ?))");
		params.push(cursor.createdAt, cursor.createdAt, cursor.id);
	}
	const { results } = await db
		.prepare(
			`SELECT * FROM ${table} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
			 ORDER BY created_at DESC, id DESC LIMIT ?`,
		)
		.bind(...params, limit + 1)
		.all<Row>();
	return results;
}
