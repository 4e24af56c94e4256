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
