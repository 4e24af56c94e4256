/**
 * Pagination cursors on the wire: opaque base64url of a keyset position
 * (`[createdAt, id]`). The queries themselves are in src/d1/keyset.ts.
 */

import type { Keyset, Page } from "../../d1/keyset";
import { ProblemError, problem } from "../../domain/problems";
import { base64url, fromBase64url } from "../../lib/crypto";

export const DEFAULT_PAGE = 50;

/** A cursor names the keyset a page starts after. */
export type Cursor = Keyset;

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

/** A D1 page as the wire shows it: the next page's position as an opaque cursor. */
export function wirePage<T>(p: Page<T>): { items: T[]; nextCursor: string | null } {
	return { items: p.items, nextCursor: p.next && encodeCursor(p.next) };
}

/** A list query's page: where it starts (its decoded cursor) and how many (DEFAULT_PAGE unless said). */
export function pageOf(query: { limit?: number; cursor?: string }): {
	after: Cursor | null;
	limit: number;
} {
	return { after: decodeCursor(query.cursor), limit: query.limit ?? DEFAULT_PAGE };
}
